// Offer the visitor's own time zone when it differs from the one the times are shown in.
// Without JavaScript the zone chooser above the times does the same job.
const select = document.getElementById("zone-select");
const note = document.getElementById("zone-note");
const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (select && note && mine && mine !== select.value) {
  const url = new URL(window.location.href);
  if (!url.searchParams.has("tz")) {
    url.searchParams.set("tz", mine);
    const link = document.createElement("a");
    link.href = url.toString();
    link.textContent = `Show times in your zone (${mine.replaceAll("_", " ")})`;
    note.append("Your device is set to a different time zone. ", link);
    note.hidden = false;
  }
}
