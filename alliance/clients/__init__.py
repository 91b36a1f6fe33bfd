"""The client record and who may see it: below booking, care and (later) the portal, which all
hang off the person the practice serves."""
