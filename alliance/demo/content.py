"""Content for the demo practice, a fictional group practice in Fort Myers, Florida.

Everything here is made up: the people, the phone numbers (all 555-01xx), the addresses (e-mail
on sabal.test or example.com, video rooms on example.org) and the street address. The data is
plain Python so it can be read, reviewed and loaded without Django; loading it is done elsewhere.
"""

from typing import Literal, TypedDict

Role = Literal["owner", "therapist", "frontdesk"]
AcceptingStatus = Literal["yes", "waitlist", "no"]
ContactMethod = Literal["email", "phone", "text"]
RequestStatus = Literal["new", "contacted", "scheduled", "closed"]
TimeSlot = Literal["weekday-mornings", "weekday-afternoons", "weekday-evenings", "weekends"]


class PracticeData(TypedDict):
    name: str
    tagline: str
    phone: str
    email: str
    address: str
    time_zone: str
    crisis_text: str


class UserData(TypedDict):
    email: str
    full_name: str
    role: Role
    password: str
    therapist_slug: str | None


class TherapistData(TypedDict):
    slug: str
    name: str
    credentials: str
    pronouns: str
    bio: str
    how_i_work: str
    specialties: list[str]
    approaches: list[str]
    languages: list[str]
    offers_in_person: bool
    offers_telehealth: bool
    licensed_states: list[str]
    session_fee: int
    sliding_scale: bool
    insurance_plans: list[str]
    accepting: AcceptingStatus
    display_order: int


class RequestData(TypedDict):
    key: str
    name: str
    email: str
    phone: str
    preferred_contact: ContactMethod
    therapist_slug: str | None
    message: str
    times: list[TimeSlot]
    status: RequestStatus
    hours_ago: int
    first_response_after_minutes: int | None


DEMO_PASSWORD = "alliance-demo"
VIDEO_ROOM = "https://video.example.org/sabal-{slug}"  # for each therapist who offers video

PRACTICE: PracticeData = {
    "name": "Sabal Palm Counseling Group",
    "tagline": (
        "Therapy in Fort Myers and online across Florida, with time taken to find the right fit."
    ),
    "phone": "(239) 555-0142",
    "email": "hello@sabal.test",
    "address": "2150 Sabal Grove Way, Suite 210\nFort Myers, FL 33901",
    "time_zone": "America/New_York",
    "crisis_text": (
        "Our voicemail is not checked in the evenings, overnight or on weekends. "
        "If you are in crisis, call or text 988, or call 911 in an emergency."
    ),
}

SPECIALTIES: list[tuple[str, str]] = [
    ("depression", "Depression"),
    ("anxiety", "Anxiety"),
    ("self-esteem", "Self-esteem"),
    ("relationships", "Relationships"),
    ("trauma", "Trauma"),
    ("grief", "Grief and loss"),
    ("life-transitions", "Life transitions"),
    ("stress", "Stress"),
    ("parenting", "Parenting"),
    ("lgbtq", "LGBTQ+ affirming care"),
]

APPROACHES: list[tuple[str, str, str]] = [
    (
        "talk-therapy",
        "Talk therapy",
        (
            "Talking through what is on your mind with someone trained to listen and help you make "
            "sense of it."
        ),
    ),
    (
        "cbt",
        "Cognitive behavioural therapy (CBT)",
        (
            "Noticing the thoughts and habits that keep you stuck, and learning new ways to think "
            "and respond."
        ),
    ),
    (
        "psychodynamic",
        "Psychodynamic / object relations",
        (
            "Understanding how past relationships and old patterns shape how you feel and relate "
            "to people today."
        ),
    ),
    (
        "art-therapy",
        "Art therapy",
        (
            "Using drawing, painting or other materials to explore feelings that are hard to put "
            "into words. No skill needed."
        ),
    ),
    (
        "emdr",
        "EMDR",
        (
            "A structured way of processing painful memories so they feel less overwhelming in "
            "everyday life."
        ),
    ),
    (
        "act",
        "Acceptance and commitment therapy (ACT)",
        "Making room for difficult feelings while taking steps toward what matters most to you.",
    ),
    (
        "family-systems",
        "Couples and family therapy",
        "Working with partners or family members together to change the patterns between you.",
    ),
]

LANGUAGES: list[tuple[str, str]] = [
    ("english", "English"),
    ("spanish", "Spanish"),
    ("portuguese", "Portuguese"),
    ("mandarin", "Mandarin"),
    ("haitian-creole", "Haitian Creole"),
]

# Clients who pay for themselves are shown by a therapist having no plans listed; self-pay is
# deliberately not a plan here.
INSURANCE_PLANS: list[tuple[str, str]] = [
    ("aetna", "Aetna"),
    ("blue-cross-blue-shield-florida", "Blue Cross Blue Shield of Florida"),
    ("cigna", "Cigna"),
    ("unitedhealthcare", "UnitedHealthcare"),
    ("medicare", "Medicare"),
]

# The demo therapist (marisol@sabal.test) whose client has a few weeks of check-ins.
CHECKIN_THERAPIST = "marisol-vega"

USERS: list[UserData] = [
    {
        "email": "owner@sabal.test",
        "full_name": "Helen Marsh",
        "role": "owner",
        "password": DEMO_PASSWORD,
        "therapist_slug": "helen-marsh",
    },
    {
        "email": "frontdesk@sabal.test",
        "full_name": "Lena Brooks",
        "role": "frontdesk",
        "password": DEMO_PASSWORD,
        "therapist_slug": None,
    },
    {
        "email": "marisol@sabal.test",
        "full_name": "Marisol Vega",
        "role": "therapist",
        "password": DEMO_PASSWORD,
        "therapist_slug": "marisol-vega",
    },
    {
        "email": "andres@sabal.test",
        "full_name": "Andrés Calderón",
        "role": "therapist",
        "password": DEMO_PASSWORD,
        "therapist_slug": "andres-calderon",
    },
    {
        "email": "beatriz@sabal.test",
        "full_name": "Beatriz Almeida",
        "role": "therapist",
        "password": DEMO_PASSWORD,
        "therapist_slug": "beatriz-almeida",
    },
    {
        "email": "roseline@sabal.test",
        "full_name": "Roseline Joseph",
        "role": "therapist",
        "password": DEMO_PASSWORD,
        "therapist_slug": "roseline-joseph",
    },
    {
        "email": "tom@sabal.test",
        "full_name": "Tom Brennan",
        "role": "therapist",
        "password": DEMO_PASSWORD,
        "therapist_slug": "tom-brennan",
    },
    {
        "email": "jordan@sabal.test",
        "full_name": "Jordan Reyes",
        "role": "therapist",
        "password": DEMO_PASSWORD,
        "therapist_slug": "jordan-reyes",
    },
    {
        "email": "jonathan@sabal.test",
        "full_name": "Jonathan Liu",
        "role": "therapist",
        "password": DEMO_PASSWORD,
        "therapist_slug": "jonathan-liu",
    },
]

THERAPISTS: list[TherapistData] = [
    {
        "slug": "marisol-vega",
        "name": "Marisol Vega",
        "credentials": "LMHC",
        "pronouns": "she/her",
        "bio": (
            "Marisol helps adults who feel stuck in worry, low mood or harsh self-criticism. "
            "She offers sessions in English and Spanish, in person in Fort Myers and by video "
            "across Florida."
        ),
        "how_i_work": (
            "In our first meeting I'll ask about what's been hard lately and what a good week "
            "would look like for you. We'll pick one or two things to focus on first, so you "
            "leave with a sense of direction rather than a long list.\n\n"
            "I use CBT and ACT, which means we'll look at the thoughts that keep you stuck and "
            "try small, doable changes between sessions. Every few weeks I'll check in about "
            "whether this is helping and whether you feel comfortable with me.\n\n"
            "You're always welcome to push back. If an exercise feels pointless or I've "
            "misunderstood you, say so, in whichever language feels easier, and we'll adjust."
        ),
        "specialties": ["anxiety", "depression", "self-esteem", "stress"],
        "approaches": ["cbt", "act", "talk-therapy"],
        "languages": ["english", "spanish"],
        "offers_in_person": True,
        "offers_telehealth": True,
        "licensed_states": ["FL"],
        "session_fee": 140,
        "sliding_scale": True,
        "insurance_plans": ["aetna", "blue-cross-blue-shield-florida", "cigna"],
        "accepting": "yes",
        "display_order": 10,
    },
    {
        "slug": "andres-calderon",
        "name": "Andrés Calderón",
        "credentials": "PsyD",
        "pronouns": "he/him",
        "bio": (
            "Andrés is a psychologist who works with adults living with the effects of trauma, "
            "anxiety and panic. He offers EMDR and talk therapy in English and Spanish at our "
            "Fort Myers office."
        ),
        "how_i_work": (
            "Trauma work starts with safety, so we won't dive into the hardest memories in the "
            "first session. Instead I'll ask about your life now, what helps you feel steady, "
            "and what you hope will change. I'll also explain how EMDR works so nothing about "
            "it feels mysterious.\n\n"
            "Over the first few weeks we'll build skills for calming your body when things get "
            "intense. We only move toward difficult material when you feel ready, and you set "
            "the pace.\n\n"
            "Trust matters a great deal in this kind of work. I'll ask you regularly how our "
            "sessions feel, and if something I do makes you uneasy, I want to know so we can "
            "change it."
        ),
        "specialties": ["trauma", "anxiety", "stress"],
        "approaches": ["emdr", "talk-therapy"],
        "languages": ["english", "spanish"],
        "offers_in_person": True,
        "offers_telehealth": False,
        "licensed_states": ["FL"],
        "session_fee": 190,
        "sliding_scale": False,
        "insurance_plans": ["unitedhealthcare", "medicare"],
        "accepting": "yes",
        "display_order": 20,
    },
    {
        "slug": "beatriz-almeida",
        "name": "Beatriz Almeida",
        "credentials": "LMFT",
        "pronouns": "she/her",
        "bio": (
            "Beatriz is a marriage and family therapist who works with couples, parents and "
            "families. She offers sessions in English and Portuguese and has a particular "
            "interest in families settling into a new country."
        ),
        "how_i_work": (
            "When a couple or family comes in, the first session is about hearing from "
            "everyone. I'll ask each person what they'd like to be different, and I'll make "
            "sure no one person's view takes over the room.\n\n"
            "I look at the patterns between people rather than deciding who is to blame. Often "
            "we find that everyone is trying to protect something important, just in ways that "
            "clash. From there we work on small changes in how you talk and listen to each "
            "other.\n\n"
            "Every few sessions I'll ask each of you how this is going and whether I seem fair. "
            "If anyone feels unheard, by me or by each other, that's exactly what we should "
            "talk about next."
        ),
        "specialties": ["relationships", "parenting", "life-transitions"],
        "approaches": ["family-systems", "talk-therapy"],
        "languages": ["english", "portuguese"],
        "offers_in_person": True,
        "offers_telehealth": True,
        "licensed_states": ["FL"],
        "session_fee": 170,
        "sliding_scale": False,
        "insurance_plans": ["cigna"],
        "accepting": "yes",
        "display_order": 30,
    },
    {
        "slug": "roseline-joseph",
        "name": "Roseline Joseph",
        "credentials": "LCSW",
        "pronouns": "she/her",
        "bio": (
            "Roseline is a clinical social worker who supports adults through grief, depression "
            "and the strain of caring for others. She offers sessions in English and Haitian "
            "Creole."
        ),
        "how_i_work": (
            "In our first session I'll ask what's been happening and who is in your life, "
            "because the people around us shape how we cope. We'll also talk about practical "
            "things like work, family duties and sleep, since these often matter as much as "
            "feelings do.\n\n"
            "I use talk therapy, ACT and a family-systems lens. With grief, I don't push you to "
            "move on. We make room for the loss while looking for what still gives your days "
            "meaning.\n\n"
            "From time to time I'll ask whether our work feels useful and whether you feel "
            "understood by me. If it doesn't, please say so. Your honest feedback helps me be a "
            "better fit for you."
        ),
        "specialties": ["grief", "depression", "parenting", "stress"],
        "approaches": ["talk-therapy", "act", "family-systems"],
        "languages": ["english", "haitian-creole"],
        "offers_in_person": True,
        "offers_telehealth": True,
        "licensed_states": ["FL"],
        "session_fee": 120,
        "sliding_scale": True,
        "insurance_plans": ["aetna", "unitedhealthcare", "medicare"],
        "accepting": "yes",
        "display_order": 40,
    },
    {
        "slug": "tom-brennan",
        "name": "Tom Brennan",
        "credentials": "LMHC",
        "pronouns": "he/him",
        "bio": (
            "Tom works with adults, especially men, who are dealing with stress, anxiety, low "
            "mood or strain in their relationships. His sessions are practical and down to "
            "earth, in person or by video."
        ),
        "how_i_work": (
            "A lot of people tell me they've never done therapy before and aren't sure what to "
            "say. That's fine. In the first session I'll ask some straightforward questions "
            "about what's going on, and we'll work out together what you'd like to get out of "
            "this.\n\n"
            "I lean on CBT and ACT, so we'll look at the habits and thoughts that keep stress "
            "going and try out a few new ones. You'll usually leave with something small to try "
            "that week.\n\n"
            "I want this to feel like a working partnership. If I'm going too fast, too slow or "
            "missing the point, tell me straight. I'd much rather hear it than have you quietly "
            "stop coming."
        ),
        "specialties": ["stress", "anxiety", "depression", "self-esteem", "relationships"],
        "approaches": ["cbt", "act"],
        "languages": ["english"],
        "offers_in_person": True,
        "offers_telehealth": True,
        "licensed_states": ["FL", "GA"],
        "session_fee": 130,
        "sliding_scale": False,
        "insurance_plans": ["blue-cross-blue-shield-florida", "cigna", "unitedhealthcare"],
        "accepting": "yes",
        "display_order": 50,
    },
    {
        "slug": "jordan-reyes",
        "name": "Jordan Reyes",
        "credentials": "LMHC, ATR-BC",
        "pronouns": "they/them",
        "bio": (
            "Jordan is a counselor and board-certified art therapist. They work with teens and "
            "adults on self-esteem, anxiety and identity, and offer a warm, affirming space for "
            "LGBTQ+ clients."
        ),
        "how_i_work": (
            "My office has paints, clay, collage materials and plenty of paper, but you never "
            "have to make art to work with me, and no talent is needed. In our first session "
            "we'll mostly talk, and I'll show you the materials so you know what's there.\n\n"
            "Sometimes making something with your hands says what words can't yet. We'll look "
            "at what you create together, and you are always the expert on what it means.\n\n"
            "I want you to feel at ease being fully yourself here. If I get something wrong, "
            "including your name, your pronouns or anything about who you are, please tell me. "
            "I'll thank you for it and do better."
        ),
        "specialties": ["self-esteem", "anxiety", "lgbtq", "trauma"],
        "approaches": ["art-therapy", "talk-therapy"],
        "languages": ["english", "spanish"],
        "offers_in_person": True,
        "offers_telehealth": False,
        "licensed_states": ["FL"],
        "session_fee": 150,
        "sliding_scale": True,
        "insurance_plans": [],
        "accepting": "waitlist",
        "display_order": 60,
    },
    {
        "slug": "jonathan-liu",
        "name": "Jonathan Liu",
        "credentials": "PhD",
        "pronouns": "he/him",
        "bio": (
            "Jonathan is a psychologist who works with adults and college students on "
            "depression, anxiety, perfectionism and career stress. He sees clients by video in "
            "English and Mandarin."
        ),
        "how_i_work": (
            "All of my sessions are by video, so our first meeting starts with making sure the "
            "connection and your setting work for you. Then I'll ask about what's been weighing "
            "on you, your family and background, and what you hope therapy can help with.\n\n"
            "I draw on CBT for practical skills and on psychodynamic ideas for understanding "
            "where old patterns come from. Many of my clients hold themselves to very high "
            "standards, and we often look gently at where that pressure began.\n\n"
            "Talking about feelings can be unfamiliar, especially if it wasn't common in your "
            "family. I'll check in about how the pace feels, and I welcome you telling me when "
            "something isn't working."
        ),
        "specialties": ["depression", "anxiety", "self-esteem", "stress", "life-transitions"],
        "approaches": ["cbt", "psychodynamic"],
        "languages": ["english", "mandarin"],
        "offers_in_person": False,
        "offers_telehealth": True,
        "licensed_states": ["FL", "NY"],
        "session_fee": 200,
        "sliding_scale": False,
        "insurance_plans": [],
        "accepting": "waitlist",
        "display_order": 70,
    },
    {
        "slug": "helen-marsh",
        "name": "Helen Marsh",
        "credentials": "LCSW",
        "pronouns": "she/her",
        "bio": (
            "Helen founded Sabal Palm Counseling Group after twenty years in community mental "
            "health. She works with adults facing depression, grief and the long middle stretch "
            "of big life changes."
        ),
        "how_i_work": (
            "Our first session is mostly a conversation. I'll ask what brought you in now, what "
            "you've already tried, and what you'd like to be different. I take a few notes, but "
            "I'd rather look at you than at a form. Before we finish, we'll talk about whether "
            "I seem like the right person for you.\n\n"
            "I pay close attention to how things feel between us, because patterns from other "
            "relationships often show up in the room too, and that gives us something real to "
            "work with. I tend to go at a steady, unhurried pace.\n\n"
            "If something I say doesn't land, or our sessions feel stuck, please tell me. Saying "
            "so is part of the work, not a problem with it."
        ),
        "specialties": ["depression", "grief", "relationships", "life-transitions"],
        "approaches": ["psychodynamic", "talk-therapy"],
        "languages": ["english"],
        "offers_in_person": True,
        "offers_telehealth": True,
        "licensed_states": ["FL", "NY"],
        "session_fee": 180,
        "sliding_scale": False,
        "insurance_plans": ["aetna", "blue-cross-blue-shield-florida"],
        "accepting": "no",
        "display_order": 80,
    },
]

CONSULTATION_REQUESTS: list[RequestData] = [
    {
        "key": "req-1",
        "name": "Alex Moreno",
        "email": "alex.moreno@example.com",
        "phone": "",
        "preferred_contact": "email",
        "therapist_slug": "marisol-vega",
        "message": (
            "I've been feeling low for a few months and it's starting to affect my work. "
            "I think it's time to talk to someone."
        ),
        "times": ["weekday-evenings"],
        "status": "new",
        "hours_ago": 3,
        "first_response_after_minutes": None,
    },
    {
        "key": "req-2",
        "name": "Priya Shah",
        "email": "",
        "phone": "(239) 555-0178",
        "preferred_contact": "text",
        "therapist_slug": None,
        "message": "",
        "times": ["weekday-mornings", "weekends"],
        "status": "new",
        "hours_ago": 9,
        "first_response_after_minutes": None,
    },
    {
        "key": "req-3",
        "name": "Marcus Hill",
        "email": "marcus.hill@example.com",
        "phone": "(239) 555-0163",
        "preferred_contact": "phone",
        "therapist_slug": "tom-brennan",
        "message": (
            "I get really anxious at work, especially before meetings. I'd like some practical "
            "ways to handle it."
        ),
        "times": ["weekday-mornings"],
        "status": "contacted",
        "hours_ago": 30,
        "first_response_after_minutes": 95,
    },
    {
        "key": "req-4",
        "name": "Sophie Turner-Bell",
        "email": "sophie.tb@example.com",
        "phone": "",
        "preferred_contact": "email",
        "therapist_slug": "jordan-reyes",
        "message": (
            "I'd like to work on my confidence. Drawing has always helped me more than talking, "
            "so art therapy sounds like a good fit."
        ),
        "times": ["weekday-afternoons", "weekends"],
        "status": "contacted",
        "hours_ago": 52,
        "first_response_after_minutes": 240,
    },
    {
        "key": "req-5",
        "name": "Lucía Fernández",
        "email": "lucia.fernandez@example.com",
        "phone": "(239) 555-0127",
        "preferred_contact": "phone",
        "therapist_slug": None,
        "message": (
            "I went through a breakup this spring and I keep going over it. I'd prefer sessions "
            "in Spanish if possible."
        ),
        "times": ["weekday-evenings"],
        "status": "scheduled",
        "hours_ago": 120,
        "first_response_after_minutes": 45,
    },
    {
        "key": "req-6",
        "name": "Ethan Park",
        "email": "ethan.park@example.com",
        "phone": "",
        "preferred_contact": "email",
        "therapist_slug": "jonathan-liu",
        "message": "Looking for help with the stress of a move and a new job.",
        "times": ["weekday-afternoons"],
        "status": "closed",
        "hours_ago": 190,
        "first_response_after_minutes": 180,
    },
]
