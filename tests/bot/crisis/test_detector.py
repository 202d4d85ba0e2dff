"""Table-driven tests for the crisis detector; all sentences written for these tests (none from the dev set)."""

from __future__ import annotations

import logging

import pytest

from bot.crisis import Assessment, CrisisDetector, Severity
from bot.crisis.normalize import normalize

IMMINENT_CASES: tuple[str, ...] = (
    # A relapse planned for tonight by someone who says they don't care whether they survive it: the writers' corpus
    # treats drinking or using with that indifference and a time as imminent, and so does the model.
    "going to drink tonight and i dont care if i wake up",
    # intent
    "i am going to kill myself tonight",
    "Im gonna end my life this weekend, nobody can stop me",
    "going to k!ll myself after everyone leaves",
    "gonna kms for real this time",
    "k m s tonight. not joking",
    "i'm ready to end it all tonight",
    "I will take my own life tomorrow",
    "decided im going to hang myself",
    "im about to commit suicide",
    "tonight i'm ending it",
    "im ending it tonight. thanks for trying",
    "im doing it tonight. bye everyone",
    "s u i c i d e tonight. decided",
    "my mind is made up, suicide is the answer",
    "su1c1de tonight, dont try to stop me",
    "ctb this weekend. already decided",
    "gonna unalive myself tonight",
    "i want to die right now and im going to do something about it",
    "me voy a suicidar esta noche",
    "voy a matarme mañana",
    "quiero matarme hoy",
    # plan / timing
    "I have a plan and a date. Saturday.",
    "wrote my note and left it on the kitchen table",
    "tomorrow is the day, everything is set",
    "standing on the bridge right now",
    "im on the roof of the parking garage and i'm not coming down",
    "sitting at the train tracks waiting for the next train",
    "going to drive my car into a tree on the highway tonight",
    "my plan is to overdose on friday",
    "doing it on my birthday",
    "ill be gone by morning, it's decided",
    # means
    "got the pills lined up on the counter, ready",
    "i've been stockpiling pills for a month and tonight's the night",
    "bought a rope today. it's tied to the beam already",
    "the gun is loaded and in my hand",
    "holding the razor and i want it over",
    "I have enough pills to not wake up",
    "i want to die and i have the pills right here",
    # attempt / overdose in progress
    "I took 40 tylenol an hour ago",
    "just swallowed the whole bottle of my xanax",
    "took all of my antidepressants at once",
    "already took them all, feeling dizzy",
    "overdosed on purpose and i'm scared now",
    "shot up alone and my lips are turning blue",
    "used too much i think, cant breathe",
    "i think im overdosing please someone help",
    "cut way too deep and the bleeding wont stop",
    "me tomé todas las pastillas",
    "took a handful of my sleeping pills with wine so i dont wake up",
    # goodbye
    "this is my final message to you all. goodbye",
    "my last post here. love you guys",
    "by the time you read this i'll be gone",
    "please tell my family it was not their fault",
    "i wrote letters to my kids, make sure they get them",
    "goodbye everyone, thank you all for everything",
    "i won't be needing my meds anymore after tonight",
    "gave away my cat and my games today. its time",
    "wont be at group anymore or any group. bye",
    "sorry for everything. goodbye",
)

CONCERN_CASES: tuple[str, ...] = (
    # passive ideation
    "i wish i could just go to sleep and never wake up",
    "sometimes i hope i dont wake up",
    "I don't want to be alive anymore",
    "honestly i wish i was dead",
    "dont want to exist anymore",
    "been thinking about suicide a lot",
    "thinking about killing myself again",
    "i've been having suicidal thoughts lately",
    "feeling suicidal today",
    "im suicidal",
    "im sucidal and i dont know who to tell",
    "i want to diiiie",
    "i want to die",
    "i just want to disappear forever",
    "death sounds nice right now ngl",
    "tired of living honestly",
    "done with life at this point",
    "if a truck hit me tomorrow i wouldnt mind",
    "wish something would kill me in my sleep",
    "woke up disappointed that i'm still here",
    "the dark thoughts are back",
    "i think about dying every day",
    "thinking about s*icide again, i'm safe tho",
    "sewer slide thoughts again",
    "thought about unaliving myself today",
    "I keep fantasizing about my funeral",
    "want to sleep forever",
    "me quiero morir",
    "no quiero vivir",
    "ya no quiero seguir viviendo",
    "no quiero despertar mañana",
    # self-harm
    "i cut myself again last night",
    "relapsed on self harm after 3 weeks",
    "i want to cut so badly right now",
    "the urge to hurt myself is really strong tonight",
    "burned myself with a lighter",
    "i've been hurting myself again",
    "hitting myself when i get angry",
    "scratching my arms until they bleed",
    "selfharm urges are back",
    "me corté otra vez",
    "started cutting again",
    # hopelessness tied to death
    "no reason to live anymore",
    "what's the point of living if i'm going to relapse anyway",
    "life isn't worth living",
    "i dont see myself living past this year",
    "nobody would even notice if i died",
    "i'll probably just die an addict anyway",
    "giving up on life",
    "tired of being alive",
    "the only way out is death",
    # burden
    "everyone would be better off without me",
    "i'm just a burden to my family",
    "they'd be happier if i was gone",
    "my kids would be better off if i was dead",
    "no one would miss me",
    "i feel like such a burden on everyone",
    "the world would be fine without me",
    "soy una carga para mi familia",
    # third party
    "my friend told me she wants to kill herself",
    "my brother keeps saying he wants to die",
    "my roommate said he has a plan to end it",
    "someone in the server posted a goodbye message and now they're offline",
    "a girl from group texted me that she's been cutting again",
    "my sponsee said he's been thinking about suicide",
    "worried about my sister, she keeps saying she's better off dead",
    # dangerous relapse
    "relapsed on fent and my tolerance is gone, scared i'll od",
    "mixing xanax and alcohol again",
    "used alone again last night, probably laced",
    "kinda wish narcan hadnt saved me",
    "been drinking on top of my suboxone",
)

NONE_CASES: tuple[str, ...] = (
    # idioms
    "you're killing it at work!",
    "dying laughing at this meme",
    "I'd kill for a coffee right now",
    "this craving is killing me",
    "my feet are killing me",
    "i'm dead tired after that shift",
    "i'm dead 😂",
    "that cake is to die for",
    "my phone is about to die",
    "gonna kill this exam tomorrow",
    "my mom is going to kill me for being late",
    "this commute makes me want to die lol",
    "the wifi died again",
    "shoot me a message later",
    "my plants are dying, any tips?",
    "I'm dying to see the new movie",
    "this heat is killing me",
    "cut my hair today",
    "cutting back on sugar",
    "kms 😂 forgot my keys again",
    "we killed it at the talent show",
    "that workout almost killed me lol",
    "im so done with this homework",
    "overdosed on candy this halloween",
    "my back is killing me today",
    # recovery talk
    "relapsed last week but i'm back at day 2 and working with my sponsor",
    "cravings are strong today but i'm using my coping skills",
    "hit 6 months clean today!",
    "I went to a meeting instead of using",
    "had a using dream last night",
    "urge to drink was bad but it passed",
    "got my 1 year chip",
    "anyone have tips for cravings in the evening?",
    "my counselor helped me make a relapse prevention plan",
    "i used to drink every day. today i'm grateful",
    "overdose awareness day vigil is tonight",
    "everyone should carry narcan",
    "got trained on naloxone at work",
    "the narcan training was really useful",
    "lost a friend to an overdose last year, carry narcan y'all",
    # past stories
    "two years ago I tried to end my life, today I'm grateful",
    "5 years ago i attempted suicide. today i have a family and a job",
    "i used to cut in high school, 8 years free now",
    "when i first got sober i wanted to die every day. now i love my life",
    "last year i overdosed twice, now i'm 10 months clean",
    "in 2018 i was suicidal and my sister saved me",
    "my sponsor told me about when she tried to kill herself years ago",
    # resources
    "call 988 if you need it",
    "if anyone is having thoughts of suicide, please reach out to the crisis line",
    "text HOME to 741741 anytime",
    "the suicide prevention lifeline is 988",
    "pinned the crisis hotline numbers in resources",
    "si necesitas ayuda llama al 988",
    "never use alone hotline is a good resource",
    # negations
    "I'm not suicidal, just tired",
    "i'm not going to hurt myself, promise",
    "no suicidal thoughts today, feeling good",
    "i would never kill myself, i love my kids too much",
    "not gonna use, just venting",
    "im safe, just had a hard day",
    "my therapist asked if i wanted to hurt myself and i said no",
    "i dont want to die, i want to live and get better",
    "no thoughts of self harm this month",
    # media/meds
    "watched a documentary about suicide prevention",
    "that movie where everyone dies at the end was wild",
    "reading a book about overdose crisis history",
    "my doctor increased my lithium dose",
    "took my meds this morning",
    "took 2 ibuprofen for my headache",
    "the song 'the night we met' makes me cry every time",
    "started zoloft last week, feeling a bit better",
    # ordinary
    "good morning everyone",
    "anyone want to get coffee after group?",
    "feeling sad today, missing my dad",
    "lonely tonight but i'll be ok",
    "had a rough day at work",
    "I'm so tired today",
    "estoy triste hoy pero voy a estar bien",
    "what time is the meeting tomorrow?",
    "my dog ate my homework lol",
    "just want to stay in bed all day",
    "goodbye for now, see you all tomorrow at group!",
    "bye guys, heading to work",
    "thank you all for everything this year, see you next week",
    "my last day at the old job was today, new job monday!",
    "i gave my old couch away to my neighbor",
    "i'm going to end it with my boyfriend tonight",
)

# Round 3: written for categories the blind set exposed (not copied from it). Each group below is an idea, with
# several wordings; the NONE group holds the traps for each idea.
GENERALISATION_IMMINENT: tuple[str, ...] = (
    # goodbye / final message without the word suicide
    "this will be the last time anyone hears from me. thank you for everything",
    "last time yall will hear from me, take care",
    "you will never hear from me again. sorry",
    "so this is goodbye. you guys meant everything",
    "guess this is goodbye then. love you all",
    "see yall in the next life",
    "see you guys on the other side. im serious",
    "tonight is my last night alive",
    "this is my last day on earth",
    "checking out permanently tonight",
    "im checking out of life this weekend",
    "i wont be alive tomorrow",
    "by sunday you will all be rid of me",
    "you guys will finally be free of me soon",
    "i wont need my car after friday. keys are on the counter",
    "it was an honor knowing yall. forever",
    # settling affairs
    "rehomed my cat today and paid off my debts. after that im gone",
    "put my dogs up for adoption. please look after my sister for me",
    "mailed my coins to my sponsor with a note",
    "left my keys and my passwords with a letter for my mom",
    "wrote my will this morning. whoever finds this, im sorry",
    # means in progress
    "engine running in my closed garage right now",
    "sitting in the car, the truck is running inside the garage",
    "ran a hose from the exhaust into the window",
    "mixed my xanax with a bottle of wine. it should all be over soon",
    "ya tengo la soga. adios",
    # decisions and timing
    "once my roommate falls asleep im doing it",
    "as soon as everyone leaves im going through with it",
    "waiting until my parents go to bed then i will end it",
    "ive got everything i need to kill myself",
    "the suicide is planned for friday",
    "gonna go to sleep and never wake up, took care of that",
    "choosing between the rope or the pills",
    "can't decide between jumping or the gun",
    "quit taking my meds so i could stash them. doing it soon",
    "i want to die and ive made my decision",
    "quiero morirme hoy",
)

GENERALISATION_CONCERN: tuple[str, ...] = (
    # backstop: wishing for / welcoming / accepting one's own death
    "if i died in my sleep tonight id be ok with that",
    "honestly if i dont wake up tomorrow so be it",
    "part of me hopes i overdose next time",
    "i wouldnt mind dying young",
    "i dont care if i live or die anymore",
    "death doesnt really scare me anymore",
    "just waiting for death at this point",
    "kinda hoping i dont survive this relapse",
    "what if i just drank it all and didnt wake up",
    "i keep using like its nothing, till my heart stops i guess",
    "id honestly be relieved if i got hit by a truck",
    "i hope the bus doesnt stop for me",
    "i'd probably be dead by 30 anyway",
    "i will probably end up dead and i think im ok with that",
    # rescue regret
    "sometimes i wish they hadnt revived me",
    "i wish i had never been narcanned",
    "wish the ambulance never found me",
    # self-harm acts
    "carved into my thigh last night",
    "burned my wrists with a lighter again",
    "banged my head on the floor until it bruised",
    "punched the mirror and wanted to feel it",
    "my mom took my blades and i want them back",
    "keep staring at the razor on my desk",
    # hidden risk
    "my counselor asked if i was safe and i lied",
    "lied to my psychiatrist about being safe",
    "passive suicidal thoughts all week",
    "si thoughts are loud today",
    "dying has been on my mind a lot",
    "nobody would even come to my funeral",
    "everyone would be glad at my funeral",
    "life is just suffering and im done",
    "im so done with myself",
    "i cant keep fighting anymore",
    # imagined means while driving
    "so tempted to swerve into the guardrail on the highway",
    "how easy it would be to just step off the platform",
    "my kids are better off with their grandma and without me",
    # Spanish
    "ojala me atropellara un camion",
    "mi familia estaria mejor sin mi",
    "mi prima dijo que se quiere matar",
    "estoy harta de la vida",
    # third party
    "my roommate keeps texting about not wanting to exist",
)

GENERALISATION_NONE: tuple[str, ...] = (
    # goodbye traps
    "this is goodbye for now, see everyone monday",
    "this is goodbye to my old apartment, moving day!",
    "last time you'll hear from me about my fantasy football team lol",
    "see you on the other side of finals week",
    "its my last day at this job, cake in the break room",
    "tonight is my last night in the dorms",
    "checking out of the hotel tomorrow morning",
    "i wont be here tomorrow, dentist appointment, see you wednesday",
    "logging off for the night, love you all",
    "i wont need my winter coat after today, spring is here",
    # affairs traps
    "gave my old guitar to my nephew, he loves it",
    "paid next months rent early for once, feeling responsible",
    "wrote a letter to my addiction for group homework",
    "left my keys at the front desk, can someone grab them",
    "found a new home for my old couch",
    # means traps
    "warming the car up in the garage, engine running, door open",
    "picking between the blue or red mug for my coffee",
    "took all my supplements and went for a run",
    "swallowed all my pride and called my sponsor",
    "mixed the paint with water and it came out great",
    # decision/timing traps
    "once my kid falls asleep im doing the dishes",
    "as soon as my wife leaves im doing it, the surprise party setup i mean",
    "made my decision, im going back to school",
    "going to sleep and not waking up until noon tomorrow",
    # backstop traps
    "i could die of embarrassment right now lmao",
    "part of me is ok with that new schedule",
    "my grandpa is dying and he said he is at peace with it",
    "i dont care if i live in the city or the suburbs",
    "waiting to die of boredom in this waiting room",
    "i wish i had made it to the meeting on time",
    "hope i dont make it to work late again",
    "i'm not ok with dying, i want to live a long life",
    "dance till my heart gives out lol",
    # self-harm traps
    "cut my finger chopping onions, it bled a lot",
    "scratched my arms on a rose bush gardening",
    "burned my arm on the oven tray",
    "hit my head on the cabinet door, ouch",
    "need new blades for my ice skates",
    # meta/word and negation traps
    "people say unalive because of the algorithm, the word suicide gets censored",
    "the s word gets flagged on tiktok, its so dumb",
    "no estoy pensando en matarme, solo estoy triste",
    "me quiero morir de la risa con este video",
    "mi abuelo se quiere morir de risa con mis chistes",
    "my therapist asked if i was safe and i said yes honestly, i am",
    "my friend said he wanted to die when he first got clean, now he is 8 years in",
    "passive income is my new obsession",
)

DETECTOR = CrisisDetector()

TABLE: list[tuple[str, Severity]] = (
    [(t, Severity.IMMINENT) for t in IMMINENT_CASES + GENERALISATION_IMMINENT]
    + [(t, Severity.CONCERN) for t in CONCERN_CASES + GENERALISATION_CONCERN]
    + [(t, Severity.NONE) for t in NONE_CASES + GENERALISATION_NONE]
)


def test_table_is_big_enough() -> None:
    assert len(TABLE) >= 300
    assert len(GENERALISATION_IMMINENT + GENERALISATION_CONCERN + GENERALISATION_NONE) >= 80
    assert len({t for t, _ in TABLE}) == len(TABLE)


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_severity(text: str, expected: Severity) -> None:
    result = DETECTOR.assess(text)
    assert result.severity is expected, result.categories
    assert result.is_risk is (expected is not Severity.NONE)
    if result.is_risk:
        assert result.categories


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("gonna kill myself tonight", "intent"),
        ("took the whole bottle of my seroquel", "attempt_in_progress"),
        ("this is my final message, goodbye all", "goodbye"),
        ("everyone would be better off without me", "burden"),
        ("cut myself again", "self_harm"),
        ("my friend said she wants to die", "third_party"),
        ("no quiero vivir", "spanish"),
        ("wish i wouldnt wake up", "passive_ideation"),
    ],
)
def test_categories(text: str, category: str) -> None:
    assert category in DETECTOR.assess(text).categories


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("k i l l  m y s e l f", "kill myself"),
        ("diiiie", "die"),
        ("s*icide", "suicide"),
        ("k!ll myself", "kill myself"),
        ("su1c1de", "suicide"),
        ("sucide", "suicide"),
        ("suicidial", "suicidal"),
        ("sewer slide", "suicide"),
        ("kms", "kill myself"),
        ("ctb", "kill myself"),
        ("unalive myself", "kill myself"),
        ("I\u2019m", "im"),
        ("ki\u200bll", "kill"),
    ],
)
def test_normalize(raw: str, canonical: str) -> None:
    assert normalize(raw) == canonical


def test_severity_rank_orders_levels() -> None:
    assert Severity.NONE.rank < Severity.CONCERN.rank < Severity.IMMINENT.rank
    assert max([Severity.CONCERN, Severity.IMMINENT, Severity.NONE], key=lambda s: s.rank) is Severity.IMMINENT


def test_assessment_is_frozen_and_holds_no_text() -> None:
    result = DETECTOR.assess("i want to die")
    assert isinstance(result, Assessment)
    with pytest.raises(AttributeError):
        result.severity = Severity.NONE  # type: ignore[misc]
    assert not hasattr(result, "__dict__")
    assert "want to die" not in repr(result)


def test_empty_and_whitespace() -> None:
    assert DETECTOR.assess("") == Assessment(Severity.NONE, ())
    assert DETECTOR.assess("   \n ").severity is Severity.NONE


def test_no_log_record_contains_the_text(caplog: pytest.LogCaptureFixture) -> None:
    secret = "i am going to kill myself tonight zebra-7731"
    caplog.set_level(logging.DEBUG)
    result = DETECTOR.assess(secret)
    assert result.severity is Severity.IMMINENT
    for record in caplog.records:
        message = record.getMessage()
        assert "zebra-7731" not in message and "kill myself" not in message
        assert all("zebra-7731" not in str(arg) for arg in (record.args or ()))


def test_substring_gates_never_change_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.crisis import detector as detector_module

    texts = [t for t, _ in TABLE] + ["my feet are killing me", "ok bye", "k i l l myself", "s*icide tn"]
    gated = [DETECTOR.assess(t) for t in texts]
    ungated_rules = tuple((rule, None) for rule, _gate in detector_module._GATED_RULES)
    monkeypatch.setattr(detector_module, "_GATED_RULES", ungated_rules)
    assert [DETECTOR.assess(t) for t in texts] == gated


def _randomised_texts(n: int, seed: int) -> list[str]:
    """Ordinary chat with trigger words, obfuscations, punctuation and idioms spliced in at random."""
    import random

    rng = random.Random(seed)
    base = [t for t, _ in TABLE] + [
        "good morning fam", "mood 6/10, cravings 2/10", "day 45 sober!!", "this traffic is killing me",
        "dead tired after my shift", "bye guys see you thursday", "took my meds ✅", "anyone have the zoom link?",
        "my knees are killing me lol", "proud of you, one day at a time 💪", "I\u2019m so done with this week",
    ]
    triggers = (
        "kill myself", "kms", "suicide", "sewer slide", "s*icide", "su1c1de", "k i l l  m y s e l f", "d13", "diiiie",
        "end it all", "want to die", "tonight", "pills", "bye", "goodbye", "love yall", "od", "od'd", "took all my",
        "cut myself", "self-harm", "s/h", "sh urges", "unalive", "ctb", "burden", "better off without me", "lol", "jk",
        "fr fr", "988", "movie", "2 years ago", "not", "never", "i am", "i m", "w/", "y all", "ill be gone", "plan",
        "note", "bridge", "gun", "rope", "quiero morir", "💀", "🖤", "\u201c", "\u2019", "k!ll", "$uicide",
        "ki\u200bll", "Suícidio", "ＫＩＬＬ", "s.u.i.c.i.d.e", "o.d.", "can not", "do not", "rn", "tn", "u", "ur",
        "you", "asked if", "said no", "too much", "cant breathe", "alone", "my mom said", "drop-dead", "life.today",
    )
    out: list[str] = []
    for _ in range(n):
        words = rng.choice(base).split()
        for _k in range(rng.randint(0, 4)):
            words.insert(rng.randint(0, len(words)), rng.choice(triggers))
        if rng.random() < 0.3:
            words.insert(rng.randint(0, len(words)), rng.choice((".", "!", "?", "but", "tho", "\n", ";")))
        text = " ".join(words)
        out.append(text.upper() if rng.random() < 0.15 else text)
    return out


def test_first_pass_and_gates_never_change_a_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cheap first pass ("no rule that could flag this message can match") and every gate are exact:
    on randomised messages mixing trigger words into chat, results equal a run with no gates at all."""
    from bot.crisis import detector as detector_module
    from bot.crisis import normalize as normalize_module

    texts = _randomised_texts(3000, seed=20261128)
    gated = [DETECTOR.assess(t) for t in texts]
    norms = [normalize(t) for t in texts]
    assert any(a.is_risk for a in gated) and any(not a.is_risk for a in gated)

    everything = tuple(range(len(normalize_module._REWRITES)))
    monkeypatch.setattr(normalize_module._REWRITE_INDEX, "open_items", lambda _present: everything)
    assert [normalize(t) for t in texts] == norms
    ungated_rules = tuple((rule, None) for rule, _gate in detector_module._GATED_RULES)
    monkeypatch.setattr(detector_module, "_GATED_RULES", ungated_rules)
    assert [DETECTOR.assess(t) for t in texts] == gated


def test_every_rule_that_can_flag_has_a_gate() -> None:
    """Otherwise the first pass could never answer "none" early (correct, but slow)."""
    from bot.crisis import detector as detector_module

    for rule, gate in detector_module._GATED_RULES:
        if detector_module._decisive(rule):
            assert gate is not None, rule.regex.pattern[:60]


def test_literal_finder_equals_substring_search() -> None:
    from bot.crisis._gate import LiteralFinder

    literals = frozenset({"kill", "killing", "ill", "il", "myself", "self", "elf", "🖤", "end", "ending", "nd"})
    finder = LiteralFinder(literals)
    for text in ["", "killing myself", "skill", "ill", "the weekend is ending 🖤", "selfish elves", "kil l"]:
        assert finder(text) == {lit for lit in literals if lit in text}, text


def _fast_path_probe_texts() -> list[str]:
    """Randomised texts plus character-level mutations (obfuscation characters, odd whitespace, accents...)."""
    import random

    rng = random.Random(20261129)
    texts = [
        *_randomised_texts(3000, seed=7),
        "i a i a i", "d i e tonight", "b y e all", "g o n e", "s_u_i_c_i_d_e", "p.i.l.l.s",
        "i  a   i", "a i a", "x-i a", "k.m.s", "i\u00a0a\u00a0i", "right\nnow", "can\nnot", "y all",
        "yaall", "\u1100\u1161", "e\u0301", "\ufe70", "\u00b4", "caf\u00e9", "\u03a3\u03a3", "od ing", "w/ u",
        "ＫＩＬＬ myself", "b/c", "sh urges", "o.d. lol", "mood 6/10 \u2764\ufe0f", "\u201cbye\u201d", "",
    ]
    chars = [*"*!@$013457|\u20ac#_.-/' \u200b\u00e9\u2019\"iIlLsSkKmM\n\t\u00a0\u3000", "  ", "\u0301", "😂"]
    pool = [*(t for t, _ in TABLE), *texts[:500]]
    for _ in range(3000):
        t = list(rng.choice(pool))
        for _k in range(rng.randint(1, 4)):
            i = rng.randrange(len(t) + 1)
            if rng.random() < 0.5 and i < len(t):
                t[i] = rng.choice(chars)
            else:
                t.insert(i, rng.choice(chars))
        texts.append("".join(t))
    return texts


def test_token_views_join_to_the_normal_form() -> None:
    """Whenever every token has a view, normalize(text) is the views joined (up to whitespace) and no rewrite can
    fire on that text: the claim the detector's word-by-word fast path rests on."""
    from bot.crisis import normalize as normalize_module
    from bot.crisis.normalize import has_foreign_space, token_view

    checked = 0
    for text in _fast_path_probe_texts():
        if has_foreign_space(text):
            continue
        views = [token_view(tok) for tok in text.split()]
        if any(v is None for v in views):
            continue
        checked += 1
        joined = " ".join(v for v in views if v is not None)
        assert normalize(text).split() == joined.split(), text
        for rx, _rep in normalize_module._REWRITES:
            assert all(m.group(0) == _rep for m in rx.finditer(joined)), (text, rx.pattern)
    assert checked > 1000


def test_fast_path_only_answers_none() -> None:
    """surely_none() is only ever True for messages the full detector also rates none."""
    from bot.crisis import detector as detector_module

    selector = detector_module._selector()
    texts = _fast_path_probe_texts()
    fast = [t for t in texts if selector.surely_none(t)]
    assert len(fast) > 300  # ~500; gate choice among equally rare literals varies with PYTHONHASHSEED
    ungated = detector_module._RuleSelector(tuple((rule, None) for rule, _gate in detector_module._GATED_RULES))
    assert not any(ungated.surely_none(t) for t in fast)  # with no gates nothing is provably none
    for text in fast:
        norm = normalize(text)
        _rules, decisive = selector.select(norm)
        assert not decisive, text
    assert not selector.surely_none("i want to die") and not selector.surely_none("k i l l myself")


def test_fast_path_premises() -> None:
    """The facts token_view relies on: only "i" and "a" are segment words spelt with i/a, and every non-ASCII
    whitespace character is caught by has_foreign_space."""
    import sys

    from bot.crisis.normalize import _SEGMENT_WORDS, has_foreign_space

    assert {w for w in _SEGMENT_WORDS if set(w) <= {"i", "a"}} == {"i", "a"}
    spaces = [chr(c) for c in range(0x80, sys.maxunicode + 1) if chr(c).isspace()]
    assert spaces and all(has_foreign_space(f"a{ch}b") for ch in spaces)


RULES_ONLY = CrisisDetector(use_model=False)

# The rules' own false alarms found on the chat corpus, each fixed at its guard (not by the model's veto).
RULE_GUARD_NONE = (
    # a goodbye that is plainly temporary
    "This is goodbye for a few weeks, I'm going into hospital for my new knee. No wifi on the ward.",
    "Saying my goodbyes as the Tuesday group is wrapping up for summer. See you all in September.",
    "bye everyone, moving to denver next week, love you all",
    # a clinician's question answered "no" in the next sentence
    "Keyworker asked if I'd had any thoughts of suicide this week. First time in months I could say no and mean it.",
    "My GP asked if I feel like life's not worth living. Said no. Said it's worth living, just hard.",
    # negation with a longer scope
    "Saw the nurse, told her the truth, no plans or thoughts of hurting myself. Just lonely.",
)
RULE_GUARD_STILL_RISK = (
    "goodbye everyone, love you all. see you on the other side",
    "goodbye everyone, love you all. see yall in the next life",
    "bye guys, love yall, wont be here tomorrow",
    "the nurse asked if i was safe and i lied. i have the pills saved up for tonight",
)


@pytest.mark.parametrize("text", RULE_GUARD_NONE)
def test_rule_guards_clear_ordinary_messages(text: str) -> None:
    assert RULES_ONLY.assess_rules(text).severity is Severity.NONE


@pytest.mark.parametrize("text", RULE_GUARD_STILL_RISK)
def test_rule_guards_keep_real_risk(text: str) -> None:
    assert RULES_ONLY.assess_rules(text).is_risk
