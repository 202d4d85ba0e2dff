"""Weighted pattern tables for the crisis detector.

Patterns run on text already passed through :func:`bot.crisis.normalize.normalize`
(lowercase, no apostrophes, slang expanded: "kms" -> "kill myself",
"gonna" -> "going to", "wanna" -> "want to", "im", "dont", "cant", "wont").

Each :class:`Rule` has a category, a level (2 imminent, 1 concern, 0 signal used
only in combinations) and the guards that can cancel a match in its clause:

* ``neg``  - a negation right before the match ("not", "never", "dont" ...)
* ``past`` - the clause tells a story from the distant past ("3 yrs ago", "used to")
* ``joke`` - the message laughs it off ("lol", "jk", "😂") with no seriousness marker
* ``res``  - the clause shares a resource or talks about media ("988", "movie")
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ADDRESSED",
    "CLAUSE_SPLIT",
    "JOKE",
    "NEGATION_BEFORE",
    "PAST",
    "REPORTED_NO",
    "REPORTER",
    "RESOURCE",
    "RULES",
    "SERIOUS",
    "TEMPORARY_BYE",
    "Rule",
]

IMMINENT = 2
CONCERN = 1
SIGNAL = 0

_MACROS: dict[str, str] = {
    # first person subject, loosely
    "I": r"(?:i|im|ive|i will|id|i was|i just|i really|i kinda|i lowkey|i honestly)",
    # the act of killing oneself, any tense-neutral form
    "KILLSELF": (
        r"(?:kill(?:ing)?\s+myself|commit(?:ting)?\s+suicide|(?<!your\s)(?<!his\s)(?<!her\s)(?<!their\s)"
        r"(?<!a\s)(?<!to\s)(?<!the\s)suicide|end(?:ing)?\s+(?:my\s+(?:own\s+)?life|"
        r"it\s+all|it|things|everything|this|my\s+pain)(?!\s+with\b)|tak(?:e|ing)\s+my\s+(?:own\s+)?life|"
        r"hang(?:ing)?\s+myself|off(?:ing)?\s+myself|shoot(?:ing)?\s+myself|"
        r"slit(?:ting)?\s+my\s+wrists?|jump(?:ing)?\s+off\s+(?:a|the|my)\s+\w+|"
        r"overdos(?:e|ing)\s+on\s+purpose|matarme|suicidarme|suicidio|quitarme\s+la\s+vida)"
    ),
    # drugs/meds that matter for overdose
    "DRUG": (
        r"(?:pills?|meds|medications?|medicine|tablets|seroquel|lithium|klonopin|klonopins|xanax|xanies|"
        r"bars|benzos?|valium|ativan|oxys?|oxycodone|oxycontin|percs?|percocets?|vicodin|tylenol|"
        r"acetaminophen|paracetamol|advil|ibuprofen|aspirin|insulin|sleeping\s+pills|"
        r"antidepressants?|zoloft|prozac|lexapro|trazodone|ambien|gabapentin|fent(?:anyl)?|heroin|"
        r"dope|methadone|suboxone|morphine|otc\s+pills|prescriptions?|script|stash|everything\s+i\s+had)"
    ),
    "QTY": (
        r"(?:the\s+whole\s+(?:bottle|pack|box|thing|script)|a\s+whole\s+(?:bottle|pack|box)|"
        r"all\s+(?:of\s+)?(?:my|the|them|those|these|her|his)|the\s+rest\s+of\s+(?:my|the)|"
        r"a\s+(?:bunch|handful|lot|ton)\s+of|too\s+many|way\s+too\s+many|(?:like\s+)?[1-9]\d{1,2}|"
        r"(?:twenty|thirty|forty|fifty|fifteen|a\s+hundred)|every\s+(?:pill|one)|double|triple)"
    ),
    "SOON": (
        r"(?:tonight|today|tomorrow|this\s+(?:weekend|morning|afternoon|evening|friday|saturday|sunday|"
        r"monday|tuesday|wednesday|thursday)|right\s+now|now|at\s+\d{1,2}(?::\d\d)?\s*(?:am|pm)?|"
        r"after\s+(?:my|the|work|school|group|everyone|they|he|she|\w+\s+go(?:es)?\s+to\s+(?:bed|sleep))|"
        r"when\s+every(?:one|body)s?\s+(?:is\s+)?(?:asleep|gone|sleeping)|on\s+(?:monday|tuesday|wednesday|"
        r"thursday|friday|saturday|sunday|my\s+\w+\s+date|my\s+birthday)|in\s+(?:\d+|a\s+few|two|three)\s+"
        r"(?:days|hours|hrs|minutes|mins)|\d+\s+days|before\s+(?:morning|sunrise|the\s+weekend)|"
        r"esta\s+noche|manana|hoy|ahora|this\s+week|on\s+the\s+\d{1,2}(?:st|nd|rd|th)?|"
        r"(?:on\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))"
    ),
    # means named when choosing between them ("the pills or the bridge")
    "MEANS": (
        r"(?:pills?|bridge|rope|noose|gun|jump|jumping|hanging|hang|overdosing|overdose|drowning|razor|blades?|"
        r"knife|bleach|roof|tracks|belt|fent(?:anyl)?)"
    ),
    # a first person's own death, in forms that cannot be about someone else
    "DEATHME": (
        r"(?:i\s+(?:\w+\s+){0,2}?(?:die|died|overdose|overdosed|dont\s+wake\s+up|didnt\s+wake\s+up|"
        r"never\s+wake\s+up|never\s+woke\s+up|(?:dont|didnt)\s+make\s+it\b(?!\s+(?:to|in|on|at|for|back|home|there)))|"
        r"my\s+(?:death|dying|funeral)|me\s+dead|me\s+dying|i\s+(?:\w+\s+){0,2}?(?:be|end\s+up)\s+dead|"
        r"i\s+(?:\w+\s+){0,2}?(?:got|get|was|were)\s+(?:hit|run\s+over)\s+by|"
        r"(?:me|myself)\s+(?:not|never)\s+waking\s+up)"
    ),
    # welcoming or accepting it
    "WELCOME": (
        r"(?:(?:ok|okay|fine|cool|at\s+peace|content|good)\s+with\s+(?:that|it|this|the\s+idea)|"
        r"wouldnt\s+(?:even\s+)?mind|would\s+not\s+mind|(?:dont|wouldnt)\s+(?:even\s+|really\s+)?care|"
        r"so\s+be\s+it|oh\s+well|who\s+cares|part\s+of\s+me\s+(?:is\s+(?:ok|okay|fine|relieved|glad|hoping)|"
        r"wants|hopes|would\s+be|wouldnt)|(?:would\s+be|be|feel)\s+(?:a\s+)?(?:relief|relieved)|welcome\s+it|"
        r"cant\s+wait|looking\s+forward|(?:id|i\s+would)\s+(?:\w+\s+)?be\s+(?:ok|okay|fine|happy|glad|relieved)|"
        r"thats\s+(?:fine|ok|okay)\s+(?:with|by)\s+me|wouldnt\s+(?:even\s+)?be\s+(?:mad|upset|sad))"
    ),
    "PEOPLE": (
        r"(?:everyone|everybody|yall|you\s+guys|you\s+all|all\s+of\s+you|guys|fam|family|my\s+family|"
        r"my\s+kids|my\s+mom|my\s+dad|the\s+group|this\s+group|the\s+server|friends)"
    ),
    "THIRD": (
        r"(?:friend|sister|brother|cousin|roommate|room\s+mate|mom|mother|dad|father|son|daughter|kid|guy|"
        r"girl|dude|buddy|bf|gf|boyfriend|girlfriend|partner|wife|husband|coworker|sponsee|uncle|aunt|"
        r"niece|nephew|neighbou?r|classmate|member|someone|somebody|person|he|she|they|bro|sis|homie|ex)"
    ),
    "SAYS": (
        r"(?:said|says|saying|told\s+me|tells\s+me|texted|texting|posted|posting|posts|keeps|kept|"
        r"mentioned|messaged|dmd|wrote|talking\s+about|talks\s+about|admitted|confessed|has\s+been|"
        r"hes\s+been|shes\s+been|theyve\s+been|is|was|wants|has|thinks|been)"
    ),
}


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.format(**_MACROS))


@dataclass(frozen=True, slots=True)
class Rule:
    category: str
    level: int
    regex: re.Pattern[str]
    guards: frozenset[str]


def _rule(category: str, level: int, pattern: str, guards: str = "neg past joke res") -> Rule:
    return Rule(category, level, _rx(pattern), frozenset(guards.split()))


_ALL = "neg past joke res"

RULES: tuple[Rule, ...] = (
    # ---------------------------------------------------------------- imminent: intent
    _rule("intent", IMMINENT,
          r"\b(?:going\s+to|gonna|will|about\s+to|ready\s+to|decided\s+to|planning\s+(?:on|to)|plan\s+to|"
          r"want\s+to|need\s+to|finally\s+going\s+to|im\s+gonna|gon|trying\s+to|try\s+to)\s+"
          r"(?:\w+\s+){{0,2}}?(?:kill\s+myself|commit\s+suicide|end\s+(?:my\s+(?:own\s+)?life|it\s+all|"
          r"things|everything)|take\s+my\s+(?:own\s+)?life|hang\s+myself|shoot\s+myself|"
          r"off\s+myself|overdose\s+on\s+purpose|jump\s+off|jump\s+in\s+front|drown\s+myself|"
          r"walk\s+into\s+(?:the\s+)?(?:ocean|sea|lake|river|traffic)|swallow\s+(?:all|them|"
          r"every|the\s+whole))", _ALL),
    _rule("intent", IMMINENT, r"\b(?:im|i\s+am)\s+(?:ending\s+it|ending\s+my\s+life|killing\s+myself|"
          r"doing\s+it)\s+(?:tonight|today|now|right\s+now|for\s+real|this\s+time)\b", "neg joke"),
    _rule("intent", IMMINENT, r"\bim\s+(?:going\s+to\s+)?(?:be\s+)?end(?:ing)?\s+it\b(?!\s+with\b)", "neg past"),
    _rule("intent", IMMINENT, r"\b(?:made\s+up\s+my\s+mind|my\s+mind\s+is\s+made\s+up|already\s+decided|"
          r"ive\s+decided|i\s+decided|no\s+turning\s+back|not\s+a\s+cry\s+for\s+help|isnt\s+a\s+cry\s+for\s+help|"
          r"dont\s+try\s+to\s+(?:stop|find|save|talk)|nobody\s+(?:try|check\s+on\s+me)|"
          r"(?:nobody|no\s+one|noone)\s+(?:can|could|will|is\s+going\s+to)\s+(?:talk\s+me\s+out|stop\s+me|"
          r"change\s+my\s+mind)|"
          r"no\s+one\s+(?:try|check\s+on\s+me))", "past"),
    _rule("intent", IMMINENT, r"\b(?:i\s+want|want)\s+to\s+die\s+(?:tonight|today|right\s+now|now)\b", _ALL),
    _rule("intent", IMMINENT, r"\b(?:me\s+voy\s+a\s+(?:matar|suicidar|quitar\s+la\s+vida)|voy\s+a\s+(?:matarme|"
          r"suicidarme|quitarme\s+la\s+vida|acabar\s+con\s+(?:todo|mi\s+vida))|quiero\s+(?:matarme|suicidarme|"
          r"quitarme\s+la\s+vida)|me\s+quiero\s+(?:matar|suicidar)|hoy\s+me\s+mato|esta\s+noche\s+me\s+mato)",
          "neg past res"),
    # ---------------------------------------------------------------- imminent: plan
    _rule("plan", IMMINENT, r"\b(?:ive|i)\s+(?:got|have|made|set|finished|figured\s+out)\s+(?:a|my|the)\s+"
          r"(?:plan|date|method)\b(?!\s+(?:for|with)\s+(?:my|the)\s+(?:sponsor|counsel|therap|recovery|"
          r"relapse|safety|week))", _ALL),
    _rule("plan", IMMINENT, r"\bmy\s+plan\s+(?:is\s+set|is\s+to\s+(?:kill|end|jump|hang|overdose|die)|is\s+ready)",
          _ALL),
    _rule("plan", IMMINENT, r"\b(?:plan\s+is\s+set|a\s+plan\s+and\s+a\s+date|picked\s+(?:a|the)\s+date|"
          r"(?:my|the|suicide)\s+note\s+is\s+(?:written|done|ready|finished)|everything\s+is\s+planned|"
          r"(?:wrote|written|writing|left)\s+(?:the|a|my)\s+(?:suicide\s+)?note|"
          r"(?:tonights|tonight\s+is|today\s+is|todays|tomorrow\s+is|tomorrows)\s+(?:the\s+night|the\s+day|it)\b|"
          r"(?:i\s+will|im\s+going\s+to|going\s+to)\s+be\s+(?:gone|dead)\s+(?:by|before|tonight|tomorrow|soon|"
          r"this)\b|"
          r"got\s+what\s+i\s+needed\s+from\s+the\s+(?:hardware|gun|pharmacy)|"
          r"working\s+up\s+the\s+(?:nerve|courage)|nobody\s+will\s+know\s+it\s+wasnt\s+an\s+accident|"
          r"(?:make|made)\s+it\s+look\s+like\s+an\s+accident|ya\s+tengo\s+todo\s+listo|"
          r"i\s+dont\s+think\s+(?:im|i\s+will\s+be)\s+(?:going|coming)\s+(?:home|back))", "neg past res"),
    _rule("plan", IMMINENT, r"\b(?:im|i\s+am|sitting|standing|typing\s+this)\s+(?:\w+\s+){{0,2}}?(?:on|at|from)"
          r"\s+(?:the\s+)?(?:top\s+of\s+)?(?:the|a|my)?\s*(?:bridge|roof|rooftop|ledge|tracks|train\s+tracks|"
          r"edge|cliff|overpass|top\s+(?:level|floor))\b", "past res joke"),
    _rule("plan", IMMINENT, r"\b(?:parked|sitting|standing|up)\s+(?:\w+\s+){{0,3}}?(?:top\s+(?:level|floor)|roof|"
          r"ledge|bridge|overpass)\b.*\b(?:nerve|jump|done|end|goodbye|bye|here\s+an\s+hour)", "past res"),
    _rule("plan", IMMINENT, r"\bwaiting\s+for\s+the\s+(?:\d|next\s+train|train|\w+\s+train)", "past res"),
    _rule("plan", IMMINENT, r"\b(?:drive|driving|crash|swerve|steer)\s+(?:my\s+car\s+)?(?:into|off)\s+"
          r"(?:the\s+|a\s+)?(?:median|wall|tree|traffic|river|bridge|pole|oncoming|semi|truck|cliff|lake)\b",
          "neg past joke res"),
    # ---------------------------------------------------------------- imminent: means with intent
    _rule("means", IMMINENT, r"\b{DRUG}\s+(?:\w+\s+){{0,2}}?(?:counted\s+out|lined\s+up|laid\s+out|"
          r"ready|in\s+my\s+hand|in\s+front\s+of\s+me)\b", "neg past res"),
    _rule("means", IMMINENT, r"\b(?:stockpil(?:e|ed|ing)|hoard(?:ed|ing)|sav(?:ed|ing)\s+up)\s+(?:\w+\s+){{0,2}}?"
          r"{DRUG}|\bbeen\s+saving\s+(?:my\s+|up\s+)?{DRUG}", "neg past res"),
    _rule("means", IMMINENT, r"\bgun\b.*\b(?:loaded|on\s+my\s+lap|in\s+my\s+(?:hand|mouth|lap)|i\s+know\s+where|"
          r"key|im\s+ready|ready|borrow|it\s+isnt|not\s+for\s+the\s+range)|\bloaded\b.*\bgun\b|"
          r"\bborrow\s+(?:his|her|a|my\s+\w+s)\s+gun\b", "neg past res"),
    _rule("means", IMMINENT, r"\b(?:razor|blade|rope|noose|belt)\b.*\b(?:right\s+now|want\s+it\s+(?:over|to\s+end)|"
          r"ready|tonight|bathtub|tied|around\s+my\s+neck|ceiling|over\s+with)", "neg past res joke"),
    _rule("means", IMMINENT, r"\b(?:have|got|has)\s+the\s+means\b", "neg past res"),
    _rule("means", IMMINENT, r"\b(?:gun|rifle|pistol|handgun|firearm)\b.*\b(?:not|isnt|aint)\s+(?:really\s+)?for\s+"
          r"(?:the\s+range|hunting|protection|sport|target\s+practice|self\s+defense)", "past res joke"),
    _rule("means", IMMINENT, r"\b(?:rope|noose|belt|cord)\b\s+(?:\w+\s+){{0,2}}?(?:set\s+up|hung|hanging|ready|up)\s+"
          r"(?:in|on|from)\s+(?:the|my)\s+(?:closet|garage|basement|ceiling|beam|door|attic|shower)",
          "neg past res joke"),
    _rule("means", IMMINENT, r"^(?!.*\b(?:warm\w*|open|opened)\b).*?(?:\bengine\s+(?:is\s+)?running\b.*\bgarage\b|"
          r"\bgarage\b.*\bengine\s+(?:is\s+)?running\b)|"
          r"\b(?:drank|swallowed|just\s+drank)\s+(?:some\s+)?(?:bleach|antifreeze|rat\s+poison|"
          r"drain\s+cleaner|poison)\b", "neg past res joke you"),
    _rule("means", IMMINENT, r"\bnoose\b|\b(?:rope|belt|cord)\b.*\btied\b|\btied\s+(?:it\s+)?to\s+the\s+"
          r"(?:beam|rafter|ceiling|closet\s+rod|railing)\b", "neg past res joke"),
    _rule("means", IMMINENT,
          r"\b(?:strong\s+enough|enough)\s+(?:\w+\s+){{0,2}}?to\s+(?:not\s+wake\s+up|never\s+wake\s+up|"
          r"end\s+(?:things|it|everything|my\s+life)|"
          r"kill\s+me|not\s+wake\s+up|do\s+it)", "neg past res"),
    _rule("means", IMMINENT, r"\b(?:finally\s+have\s+enough|have\s+enough\s+(?:pills|meds)\s+(?:now|to))", "neg past"),
    _rule("means", IMMINENT, r"\b(?:holding|hold|staring\s+at|got)\s+(?:the|my|a)\s+(?:pill\s+bottle|"
          r"bottle\s+of\s+pills|razor|blade|gun|rope)\b.*\b(?:tonight|swallow|all\s+of\s+them|do\s+it|end)",
          "neg past res"),
    # ---------------------------------------------------------------- imminent: attempt / overdose in progress
    _rule("attempt_in_progress", IMMINENT,
          r"\b(?:took|taken|swallowed|downed|popped|ate|take|taking|swallowing|just\s+took)\s+"
          r"(?:\w+\s+){{0,2}}?{QTY}\s+(?:\w+\s+){{0,2}}?{DRUG}\b", "neg past res"),
    _rule("attempt_in_progress", IMMINENT,
          r"\b(?:took|swallowed|downed|popped)\s+(?:all|the\s+rest|them\s+all|everything)\b(?!\s+(?:(?:of\s+)?(?:my|the|his|"
          r"her|our|your)\s+)?(?:\w+\s+)?(?:vitamins?|supplements?|probiotics?|notes|classes|tests?|exams?|photos?|"
          r"pictures|advice|calls?|shifts?|time|day|morning|night|week|pride|credit|stuff|things|clothes|bags?|"
          r"courses?|steps)\b)", "neg past res"),
    _rule("attempt_in_progress", IMMINENT,
          r"(?:^|\b(?:i|ive|i\s+just|just|i\s+already|already)\s+)(?:took|swallowed|downed|popped|ate|drank|chugged)\s+"
          r"(?:(?:a|the|my|an)\s+)?(?:whole|full|entire)\s+(?:bottle|pack|box|blister|strip)|"
          r"(?:^|\b(?:i|ive|i\s+just|just|i\s+already|already)\s+)(?:took|swallowed|downed|popped)\s+every\s+"
          r"(?:single\s+)?(?:pill|tablet|capsule|one)", "neg past res you"),
    _rule("attempt_in_progress", IMMINENT,
          r"\b(?:already|just)\s+(?:took|swallowed|taken|downed|popped)\s+(?:them|it|the\s+pills|everything|"
          r"all)\b", "neg past res"),
    _rule("attempt_in_progress", IMMINENT,
          r"\b(?:took|swallowed|mixed|overdosed|drank|used|cut|did\s+it|taken|shot\s+up|injected)\b[^.]*?\b"
          r"on\s+purpose\b", "neg past res"),
    _rule("attempt_in_progress", IMMINENT,
          r"\b(?:hopefully|trying\s+to|trying\s+not\s+to|so\s+i|i\s+want\s+to)\s+(?:\w+\s+){{0,1}}?"
          r"(?:dont|wont|not|never)\s+wake\s+up\b", "past res"),
    _rule("attempt_in_progress", IMMINENT,
          r"\b(?:dont|do\s+not|never)\s+want\s+to\s+come\s+back\s+from\s+this\b", "past res"),
    _rule("attempt_in_progress", IMMINENT,
          r"\b(?:cut|cutting)\b.*\b(?:deeper|too\s+deep|wont\s+stop|not\s+stopping|cant\s+stop\s+the\s+bleed|"
          r"so\s+much\s+blood)|\bbleeding\b.*\b(?:wont|isnt|not|cant)\s+stop", "neg past res"),
    _rule("attempt_in_progress", IMMINENT,
          r"\b(?:ya\s+)?me\s+tome\s+(?:todas\s+)?(?:las|mis)\s+(?:pastillas|pildoras)|"
          r"\bme\s+tome\s+todo\b|\btome\s+(?:todas\s+)?las\s+pastillas", "past"),
    _rule("overdose", IMMINENT,
          r"\b(?:took|take|taken|used|using|did|done|shot|snorted|smoked)\s+(?:\w+\s+){{0,2}}?too\s+much\b",
          "neg past res joke"),
    _rule("overdose", IMMINENT,
          r"\b(?:overdosing|im\s+overdosing|think\s+im\s+(?:overdosing|od))\b", "neg past res joke"),
    _rule("overdose", IMMINENT,
          r"\b(?:using|used|shot\s+up|relapsed|took|using\s+all|snorted|smoked|did)\b.*\b(?:(?:can\s+)?barely\s+"
          r"(?:keep\s+my\s+eyes\s+open|breathe|stay\s+awake|move)|cant\s+keep\s+my\s+eyes\s+open|cant\s+(?:catch\s+my\s+)?"
          r"breathe?|cant\s+catch\s+my\s+breath|lips\s+(?:feel|are|turning|look)|(?:turning|going)\s+blue|"
          r"fading|cant\s+(?:really\s+)?move|going\s+dark|chest\s+hurts|everything\s+is\s+spinning|"
          r"passing\s+out|cant\s+stay\s+awake|cant\s+feel\s+my)", "neg past res"),
    _rule("overdose", IMMINENT,
          r"\b(?:cant|can\s+not)\s+(?:catch\s+my\s+breath|breathe\s+right|really\s+breathe)\b.*\b(?:took|used|"
          r"alone|pills|room|dark)|\broom\s+is\s+(?:going\s+dark|spinning)", "neg past res"),
    _rule("overdose", IMMINENT,
          r"\b(?:using|use|shoot(?:ing)?\s+up|taking|doing|take)\s+(?:it\s+)?(?:all\s+(?:of\s+it\s+)?at\s+once|"
          r"everything\s+i\s+have|the\s+whole\s+(?:bag|stash|thing))", "neg past res"),
    # ---------------------------------------------------------------- imminent: goodbye
    _rule("goodbye", IMMINENT,
          r"\b(?:this\s+is\s+)?my\s+(?:last|final)\s+(?:check\s*in|message|post|text|goodbye)\b|"
          r"\bfinal\s+(?:message|post|goodbye|words)\b|\blast\s+(?:message|words)\s+(?:from\s+me|here)",
          "neg past res"),
    _rule("goodbye", IMMINENT,
          r"\b(?:say|said|saying)\s+(?:my\s+)?goodbyes?\b|\bneed\s+to\s+say\s+goodbye\b|"
          r"\b(?:tell|say)\s+(?:\w+\s+){{0,2}}?(?:i\s+said\s+)?(?:bye|goodbye)\b", "neg past res joke"),
    _rule("goodbye", IMMINENT,
          r"\b(?:wont|not\s+going\s+to|im\s+not\s+going\s+to)\s+be\s+(?:at|in|here|around|coming\s+to)\s+"
          r"(?:\w+\s+){{0,3}}?(?:anymore|any\s+group|after\s+(?:tonight|today|this)|much\s+longer|"
          r"or\s+any)\b|\bor\s+any\s+group\b", "neg past res"),
    _rule("goodbye", IMMINENT,
          r"\b(?:wont|will\s+not|im\s+not\s+going\s+to)\s+(?:need|be\s+needing)\s+(?:them|it|this|my\s+\w+)\s+"
          r"(?:after|anymore|where\s+im\s+going)|\bi\s+wont\s+be\s+needing\s+(?:it|them)\b", "neg past res"),
    _rule("goodbye", IMMINENT,
          r"\b(?:wrote|written|writing|left)\s+(?:\w+\s+){{0,2}}?letters?\s+(?:for|to)\s+(?:my\b(?!\s+(?:\w+\s+)?"
          r"(?:self|addiction|disease|body|sponsor|therapist|counselor|drug|future|past|younger|older|inner)\b)|"
          r"everyone|all)(?!.*\b(?:homework|assignment|for\s+(?:group|class|therapy)|exercise)\b)|\bmake\s+sure\s+(?:they|she|he|my\s+\w+)\s+(?:get|gets)\s+(?:them|it|the\s+letters?)\b",
          "neg past res"),
    _rule("goodbye", IMMINENT,
          r"\b(?:by\s+the\s+time\s+(?:anyone|you|someone|yall)\s+(?:reads?|sees?)\s+this|"
          r"(?:it|ill|i\s+will)\s+(?:will\s+)?be\s+(?:done|over|gone)\s+by\s+the\s+time|"
          r"(?:was|wasnt|isnt|is\s+not|not)\s+(?:their|your|yall|her|his|anyones)\s+fault|"
          r"finally\s+(?:going\s+to\s+)?be\s+at\s+peace|ya\s+no\s+voy\s+a\s+estar|cuiden\s+a\s+mi)",
          "neg past res"),
    _rule("goodbye", IMMINENT,
          r"\b(?:my\s+)?(?:spot|seat|bed|place)\b.*\b(?:can\s+go\s+to|give\s+(?:it|my)\s+to)\b.*"
          r"\b(?:wont\s+(?:be\s+)?need|waitlist|someone\s+else)", "neg past res"),
    _rule("goodbye", IMMINENT,
          r"\b(?:giving|gave|give)\s+(?:away\s+)?(?:my|all\s+my)\s+(?:\w+\s+){{0,2}}?(?:to\s+\w+\s+)?"
          r"(?:\w+\s+){{0,3}}?.*\b(?:after\s+that\s+im\s+done|wont\s+need|goodbyes?|its\s+time|"
          r"im\s+done|when\s+im\s+gone)", "neg past res"),
    _rule("timing", IMMINENT, r"\b(?:doing|do)\s+it\s+on\s+my\s+(?:\w+\s+)?(?:date|birthday|anniversary)\b",
          "neg past res joke"),
    _rule("goodbye", IMMINENT, r"\bperdon\s+a\s+todos\b|\badios\s+a\s+todos\b", "past res"),
    _rule("goodbye", IMMINENT, r"\bsigning\s+off\s+(?:for\s+good|forever|for\s+the\s+last\s+time)\b|"
          r"\b(?:feed|take\s+care\s+of|look\s+after|walk)\s+my\s+(?:cat|dog|pets?|kids?|fish|bird)\s+"
          r"(?:\w+\s+){{0,2}}?(?:after\s+(?:tonight|today|i\s+go|im\s+gone)|when\s+im\s+gone|once\s+im\s+gone)",
          "neg past res joke"),
    # ---------------------------------------------------------------- imminent: goodbyes written for the category
    # Finality markers ("last time you hear from me", "this is goodbye", "the other side", "last night on earth",
    # "checking out for good", "wont be alive tomorrow") in a first-person farewell; not "for now", not a job/place.
    _rule("goodbye", IMMINENT,
          r"\blast\s+time\s+(?:you|youll|yall|you\s+guys|you\s+all|anyone|any\s+of\s+you|everyone|people)\s+"
          r"(?:\w+\s+){{0,2}}?(?:hears?|sees?|reads?|talks?)\s+(?:from|to|of)\s+me\b|"
          r"\b(?:never|wont|will\s+not|not\s+going\s+to)\s+(?:ever\s+)?(?:hear|see)\s+(?:from\s+)?me\s+(?:again|ever)\b"
          r"(?!\s+(?:until|till|til|for|this|today|tonight|tomorrow|before|after|at|in|on|if|unless))|"
          r"\b(?:this\s+is|its|this\s+is\s+my|heres\s+my|so\s+this\s+is|guess\s+this\s+is)\s+(?:a\s+|the\s+)?"
          r"(?:real\s+|final\s+|last\s+|true\s+)?goodbye\b(?!\s+(?:for\s+(?:now|today|tonight|the\s+(?:night|day|week|"
          r"weekend|summer))|until|till|til|to\s+(?!(?:everyone|everybody|yall|you|all)\b)|party|card|gift))|"
          r"\bsee\s+(?:you|yall|you\s+all|you\s+guys|everyone|ya)\s+(?:all\s+)?(?:on\s+the\s+other\s+side\b(?!\s+of\b)|"
          r"in\s+(?:the\s+)?(?:next|another|other)\s+life|in\s+heaven|on\s+the\s+flip\s+side\s+for\s+good)|"
          r"\b(?:my|its\s+my|this\s+is\s+my)\s+last\s+(?:night|day|morning|evening|week|weekend|sunrise|sunset|"
          r"meal|breath|hours?)\s+(?:on\s+(?:this\s+)?(?:earth|planet)|alive|of\s+my\s+life|ever|breathing)\b|"
          r"\blast\s+(?:night|day)\s+(?:on\s+earth|alive)\b|"
          r"\b(?:its|this\s+is|tonight\s+is|today\s+is|tomorrow\s+is)\s+my\s+last\s+(?:night|day)\s*$|"
          r"\b(?:checking|check|clocking|tapping|bowing|cashing)\s+out\s+(?:for\s+good|permanently|forever|"
          r"of\s+(?:life|this\s+life|this\s+world|existence))\b|"
          r"\b(?:wont|will\s+not|not\s+going\s+to|im\s+not\s+going\s+to)\s+(?:be\s+)?(?:alive|breathing)\s+"
          r"(?:tomorrow|by|to\s+see|after|next|much\s+longer|in\s+the\s+morning|for\s+(?:long|much))|"
          r"\b(?:will|youll|yall\s+will|you\s+will|everyone\s+will|they\s+will|be)\s+(?:finally\s+)?(?:be\s+)?"
          r"(?:free|rid)\s+of\s+me\b|"
          r"\b(?:wont|will\s+not|dont|im\s+not\s+going\s+to)\s+(?:be\s+)?need(?:ing)?\s+(?:\w+\s+){{0,4}}?"
          r"(?:after\s+tonight|where\s+im\s+going|when\s+im\s+gone|once\s+im\s+gone)\b",
          "neg past res joke"),
    # Settling affairs: an item is left or given with a letter/note; a pet is rehomed "for after".
    _rule("goodbye", IMMINENT,
          r"\b(?:left|leaving|mailed|dropped\s+off|gave|giving)\s+(?:my|all\s+my)\s+(?:\w+\s+){{0,3}}?(?:chips?|coins?|"
          r"keys|stuff|things|belongings|ring|jewelry|medallion|passwords?|savings|money)\b.*\bwith\s+(?:a|the|my)\s+"
          r"(?:\w+\s+)?(?:letter|note)\b", "neg past res joke"),
    # Means in progress: a running engine in a shut garage, charcoal/exhaust.
    _rule("means", IMMINENT,
          r"\b(?:car|engine|truck|motor|van)(?:s|\s+is)?\s+(?:still\s+)?(?:running|on|idling)\b(?:\s+\w+){{0,4}}?"
          r"\s+(?:in|inside)\s+(?:the|my|a)\s+(?:closed\s+|shut\s+)?garage\b(?!.*\b(?:warm|warming|open)\b)|"
          r"\b(?:in|inside)\s+(?:the|my)\s+(?:closed|shut)\s+garage\b.*\b(?:running|engine|exhaust|fumes)\b|"
          r"\b(?:hose|tube|pipe)\s+(?:\w+\s+){{0,2}}?(?:from|to|into|on)\s+the\s+exhaust\b|"
          r"\b(?:burning|lit)\s+(?:the\s+)?charcoal\s+(?:in|inside)\s+(?:the|my)\s+(?:room|car|bathroom|tent)\b",
          "neg past res joke you"),
    # Choosing between means ("between the pills or the bridge").
    _rule("plan", IMMINENT,
          r"\b(?:between|decide|deciding|choose|choosing|pick|picking|either)\s+(?:\w+\s+){{0,2}}?(?:the\s+)?{MEANS}\s+"
          r"(?:or|and|vs|versus)\s+(?:the\s+)?{MEANS}\b", "past res joke"),
    # Intent with timing: "waiting for X to leave then im doing it", "suicide is happening tonight",
    # "have everything i need to end this", "going to sleep and not waking up".
    _rule("intent", IMMINENT,
          r"\b(?:waiting\s+(?:for|until|till|til)|once|as\s+soon\s+as|when)\s+(?:\w+\s+){{0,5}}?(?:leave|leaves|"
          r"leaving|left|asleep|gone|goes\s+to\s+(?:bed|sleep|work)|falls\s+asleep|is\s+out|go\s+to\s+(?:bed|sleep))"
          r"\b.*\b(?:im|i\s+will|i\s+can|im\s+going\s+to|i\s+am\s+going\s+to)\s+(?:finally\s+)?(?:doing|do|going\s+"
          r"through\s+with|go\s+through\s+with|ending|end)\s+it\b(?!\s+with\b)(?!.*\b(?:i\s+mean|party|surprise|"
          r"cleaning|laundry|dishes|homework|workout|project|chores?)\b)|"
          r"\bsuicide\s+(?:is\s+)?(?:happening|going\s+down|planned|scheduled|set\s+for)\b|"
          r"\b(?:have|ive|got|gathered|bought|collected)\s+(?:everything|all|what)\s+(?:that\s+)?i\s+need(?:ed)?\s+to\s+"
          r"(?:end\s+(?:this|it|things|my\s+life|everything)|kill\s+myself|do\s+it|go\s+through\s+with\s+it)\b|"
          r"\b(?:going\s+to|about\s+to|will|ready\s+to)\s+(?:go\s+to\s+)?sleep\s+and\s+(?:not|never)\s+(?:be\s+)?"
          r"wak(?:e|ing)\s+up\b(?!\s+(?:until|till|til|before|for|early|at))|"
          r"\bif\s+i\s+(?:dont|didnt|never|wont)\s+wake\s+up\b.*\b(?:thats|that\s+is|its)\s+(?:the\s+(?:point|plan|"
          r"goal|idea)|what\s+i\s+want)|"
          r"\b(?:shot|used|took|did|snorted|drank|injected)\s+(?:\w+\s+){{0,2}}?more\s+than\s+(?:usual|normal|ever)\b"
          r".*\bon\s+purpose\b|"
          r"\b(?:going|go|gonna)\s+out\s+(?:the\s+same\s+way|like)\s+(?:my|her|his)\s+\w+\s+(?:did|went)\b"
          r".*\b(?:tonight|today|tomorrow|now|soon)\b",
          "neg past res joke"),
    # Stockpiling: not taking meds in order to save them.
    _rule("means", IMMINENT,
          r"\b(?:stopped|quit|not|skipping|skipped|havent\s+been|been\s+not)\s+(?:taking\s+)?(?:my\s+)?{DRUG}\b.*"
          r"\b(?:save|saving|stash|stashing|hoard|hoarding|stockpile|stockpiling|collect|collecting)\b|"
          r"\b(?:save|saving|stash|stashing|hoard|hoarding)\s+(?:them|those|these|my\s+{DRUG})\s+up\b",
          "past res joke"),
    # Spanish: a noose ready; mixing benzos with alcohol "should be over soon" is handled by signals.
    _rule("means", IMMINENT,
          r"\b(?:tengo|ya\s+tengo|compre)\s+(?:la|una)\s+(?:soga|cuerda)\b|\bsoga\s+(?:esta\s+)?(?:lista|preparada|"
          r"colgada|atada)\b", "neg past res"),
    # ---------------------------------------------------------------- signals for combinations
    _rule("sig_active", SIGNAL, r"\b{KILLSELF}\b", _ALL + " you"),
    _rule("sig_active", SIGNAL, r"\b(?:want\s+to|going\s+to|gonna|ready\s+to)\s+die\b", _ALL + " you"),
    _rule("sig_active", SIGNAL, r"\b(?:going|go)\s+out\s+(?:the\s+same\s+way|like)\s+(?:my|her|his)\s+\w+\s+"
          r"(?:did|went)\b", "neg past res joke"),
    _rule("sig_active", SIGNAL, r"\b(?:me\s+)?quiero\s+morir(?:me)?\b(?!\s+de\b)", "neg past res joke"),
    _rule("sig_soon", SIGNAL, r"\b{SOON}\b", "past"),
    _rule("sig_resolve", SIGNAL,
          r"\b(?:for\s+real|not\s+a\s+joke|no\s+joke|im\s+serious|i\s+mean\s+it|not\s+kidding|actually|"
          r"got\s+everything\s+ready|everything\s+is\s+ready|im\s+ready|its\s+time|im\s+doing\s+it|"
          r"doing\s+it\s+(?:tonight|today|now)|decided|this\s+time|im\s+done|its\s+done|"
          r"dont\s+try|no\s+one\s+can\s+stop|made\s+(?:my|the|a|up\s+my)\s+(?:decision|mind)|make\s+it\s+happen|"
          r"(?:hoy|esta\s+noche|manana)\s+lo\s+hago|lo\s+hago\s+(?:hoy|esta\s+noche))\b", "past neg"),
    _rule("sig_bye", SIGNAL,
          r"\b(?:bye|goodbye|farewell|love\s+(?:you|yall|you\s+all|you\s+guys)|thank\s+you\s+(?:all|"
          r"guys|everyone)\s+for\s+everything|thank\s+you\s+for\s+(?:everything|trying)|"
          r"sorry\s+for\s+(?:everything|all\s+the\s+trouble|being\s+a\s+burden)|"
          r"(?:i\s+)?loved\s+(?:her|him|them|you)|please\s+tell\s+my|take\s+care\s+of\s+(?:my|him|her)|"
          r"take\s+care\s+of\s+each\s+other|im\s+sorry\s+(?:mom|dad|everyone|to\s+everyone)|im\s+so\s+sorry\s+(?:mom|dad|everyone)|"
          r"forgive\s+me|adios|(?:giving|gave|give)\s+(?:away\s+)?(?:my|all\s+my)\s+(?:\w+\s+){{0,2}}?"
          r"(?:dog|cat|pets?|stuff|things|belongings|clothes|games|switch|ps5|xbox|car|ring|jewelry)\b|"
          r"\bafter\s+that\s+im\s+done\b|perdon|🖤|deleted\s+(?:all\s+)?my\s+(?:socials|accounts)|"
          r"you\s+(?:guys\s+)?were\s+the\s+only\s+ones|^(?:permanently|forever)$|"
          r"(?:check\s+on|look\s+after|watch\s+out\s+for)\s+(?:my\s+)?(?:\w+\s+)?(?:brother|sister|kids?|son|"
          r"daughter|mom|dad|dog|cat|pets?|family)\s+for\s+me|"
          r"(?:been|it\s+was|was|its\s+been)\s+(?:an\s+honou?r|a\s+pleasure|nice|good|great)\s+(?:knowing|to\s+know)|"
          r"(?:if|when|whoever)\s+(?:anyone|someone|somebody|you|yall)?\s*(?:finds?|reads?)\s+this\b|"
          r"made\s+(?:my\s+)?peace\s+with\s+(?:god|everything|it\s+all|dying|my\s+decision)|"
          r"(?:should|will|it\s+will|itll|it\s+should)\s+(?:all\s+)?be\s+over\s+(?:soon|shortly|in\s+a\s+(?:bit|few|minute|while))|"
          r"wont\s+be\s+long\s+now|after\s+that\s+im\s+(?:free|gone)\s*$|"
          r"(?:rehomed|rehoming|found\s+(?:a\s+)?(?:new\s+)?homes?\s+for|put)\s+(?:my|all\s+my)\s+(?:\w+\s+)?"
          r"(?:dog|cat|pets?|bird|rabbit|hamster|fish|snake|lizard)s?\b(?:\s+up\s+for\s+adoption)?|"
          r"paid\s+(?:next\s+months|the\s+next|(?:\w+\s+)?ahead|off\s+(?:all\s+)?my)\s*(?:\w+\s+)?(?:rent|bills|debts?)|"
          r"(?:wrote|updated|made|finished)\s+(?:my|a)\s+will\b|"
          r"(?:ya\s+)?me\s+despedi|"
          r"(?:wont|will\s+not|not\s+going\s+to)\s+be\s+(?:here|around)\s+(?:tomorrow|tonight|next\s+week|by\s+(?:morning|"
          r"then|the\s+weekend))|(?:be|are)\s+(?:finally\s+)?(?:free|rid)\s+of\s+me)", "past res"),
    _rule("sig_means", SIGNAL,
          r"\b(?:pills?|gun|razor|blade|rope|noose|bridge|fent(?:anyl)?|bottle\s+of|pastillas|soga)\b", "past res"),
    # ---------------------------------------------------------------- concern: passive ideation
    _rule("passive_ideation", CONCERN,
          r"\b(?:wish|hope|hoping|pray|praying)\s+(?:that\s+)?(?:i\s+)?(?:just\s+)?(?:would\s+not|wouldnt|"
          r"dont|wont|didnt|never|do\s+not)\s+(?:\w+\s+)?wake\s+up\b", "neg past"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:dont|do\s+not|never)\s+(?:really\s+)?(?:want|wanna|wish)\s+to\s+(?:wake\s+up|exist|be\s+alive|"
          r"live|be\s+here|be\s+around|keep\s+living|keep\s+going|go\s+on|be\s+on\s+this\s+earth)\b",
          "past joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:wish|wishing)\s+(?:that\s+)?(?:i|id)\s+(?:was|were|had|could|would|just|never|wasnt|"
          r"didnt|hadnt)\s+(?:\w+\s+){{0,2}}?(?:dead|die|died|disappear|vanish|never\s+been\s+born|"
          r"born|alive|here|exist|existed|woken|wake|gone|sleep\s+forever|go\s+to\s+sleep|stop\s+existing)",
          "neg past"),
    _rule("passive_ideation", CONCERN,
          r"\bwish(?:es|ed)?\s+(?:the|that|my|it|this)\s+(?:\w+\s+){{0,3}}?(?:had|would\s+have|wouldve)\s+"
          r"(?:worked|killed\s+me|finished)", "neg"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:death|dying|being\s+dead|not\s+existing|not\s+being\s+alive)\s+(?:sounds|seems|feels|looks|"
          r"would\s+be)\s+(?:so\s+|really\s+|kinda\s+|pretty\s+)?(?:peaceful|nice|good|better|easier|"
          r"(?:like\s+)?(?:a\s+relief|a\s+release|an\s+escape|a\s+mercy)|relieving|appealing|comforting)",
          "neg past res"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:think|thinking|thought|thoughts|fantasi[sz]e|fantasi[sz]ing|dream|dreaming|obsess(?:ing)?)\s+"
          r"(?:\w+\s+){{0,2}}?(?:about|of)\s+(?:\w+\s+){{0,1}}?(?:dying|death|suicide|killing\s+myself|"
          r"kill\s+myself|ending\s+(?:it|my\s+life|things|everything)|not\s+being\s+(?:here|alive|around)|"
          r"jumping|hanging\s+myself|overdosing|taking\s+my\s+(?:own\s+)?life|my\s+funeral|"
          r"walking\s+into|driving\s+into|crashing)\b", "neg past res"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:suicidal|suicide)\s+(?:thoughts?|ideation|urges?|feelings?)\b|\bfeel(?:ing)?\s+suicidal\b|"
          r"\bsuicidal\b",
          "neg past res joke you"),
    _rule("passive_ideation", CONCERN, r"\b{KILLSELF}\b", "neg past res joke you"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:dark|bad|those|the)\s+(?:\w+\s+)?thoughts\s+(?:\w+\s+){{0,2}}?(?:again|are\s+back|came\s+back|"
          r"back)\b|\b(?:the\s+dark\s+ones|not\s+acting\s+on\s+them|intrusive\s+thoughts\s+about\s+"
          r"(?:dying|jumping|killing|death|hurting\s+myself|ending))", "past res"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:done|over|finished|tired|sick)\s+(?:\w+\s+){{0,1}}?(?:with|of)\s+(?:life|living|being\s+alive|"
          r"existing|this\s+life|it\s+all|everything)\b(?!\s+(?:coach|insurance|skills|story|hack))",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:sleep|go\s+to\s+sleep)\s+(?:\w+\s+)?forever\b|\b(?:stop(?:ped)?|quit)\s+existing\b|"
          r"\b(?:just\s+)?(?:disappear|vanish)\s+(?:forever|for\s+good|and\s+never|completely)\b|"
          r"\bwant\s+to\s+(?:disappear|vanish|not\s+exist|be\s+gone|stop\s+existing|not\s+be\s+here)\b|"
          r"\bjust\s+(?:be\s+)?gone\b", "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:want|wanted|wanna|i\s+want)\s+to\s+die\b|\bi\s+could\s+just\s+die\b(?!\s+(?:of|from)\s+"
          r"(?:embarrass|shame|laugh|happiness|cute))|\bready\s+to\s+die\b|\bwant\s+it\s+(?:all\s+)?"
          r"(?:to\s+)?(?:be\s+)?over\b", "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:hit\s+by\s+a\s+(?:bus|car|truck|train)|(?:bus|car|truck|train)\s+(?:hit|hits|ran\s+over)\s+me|car\s+(?:accident|crash)|(?:plane|car)\s+crash|"
          r"get\s+cancer|(?:cancer|tumou?r)\s+(?:scare\s+)?(?:is|was)\s+real|die\s+in\s+my\s+sleep|"
          r"heart\s+(?:would|to)\s+(?:just\s+)?stop)\b.*\b(?:relieved|relief|wouldnt\s+have\s+to|wouldnt\s+mind|"
          r"dont\s+have\s+to|wish|hope|hoping|happy|fine\s+with|ok\s+with|wouldnt\s+mind|"
          r"dont\s+care|be\s+the\s+one|wouldnt\s+(?:even\s+)?(?:be\s+mad|be\s+upset|care|complain))", "past res"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:wish|hope|hoping|pray|praying|lowkey\s+want)\b.*\b(?:hit\s+by|car\s+accident|crash|"
          r"die\s+in\s+my\s+sleep|heart\s+attack|get\s+(?:sick|cancer)|something\s+(?:would\s+)?kill(?:s|ed)?\s+me"
          r"|never\s+wake)", "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:woke\s+up|wake\s+up|waking\s+up)\s+(?:\w+\s+){{0,2}}?(?:disappointed|sad\s+that|mad\s+that|"
          r"upset\s+that)|\b(?:disappointed|mad|upset|angry|pissed)\s+(?:that\s+)?i\s+(?:woke\s+up|"
          r"didnt\s+die|survived|made\s+it|am\s+still\s+(?:here|alive)|lived)|"
          r"\b(?:on\s+purpose)\b.*\b(?:dont\s+(?:really\s+)?care\s+if\s+i\s+(?:crash|die|live|wake)|"
          r"hoping\s+(?:to|i)\s+crash)", "neg past res"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:walk|walking|swim|swimming|drive|driving)\s+(?:\w+\s+){{0,1}}?(?:into|out\s+into|off)\s+"
          r"(?:the\s+)?(?:ocean|sea|lake|river|traffic|water|cliff)\b.*\b(?:not\s+coming\s+back|never\s+come\s+back"
          r"|thought|wont|keep|die|end)|\bjump(?:ing)?\b.*\b(?:train\s+platform|tracks|in\s+front\s+of|"
          r"off\s+(?:the|a)\s+(?:bridge|roof|building|ledge))", "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:too\s+much\s+of\s+a\s+coward|too\s+(?:scared|chicken)\s+to\s+(?:do\s+it|kill|end|die))|"
          r"\bso\s+i\s+dont\s+have\s+to\s+be\s+the\s+one\s+to\s+do\s+it\b", "past res"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:(?:me\s+quiero\s+morir|quiero\s+morir(?:me)?)(?!\s+de\b)|ojala\s+(?:me\s+)?(?:muera|no\s+despert)|"
          r"no\s+quiero\s+(?:vivir|seguir\s+viviendo|existir|despertar|estar\s+aqui|seguir)|"
          r"quiero\s+desaparecer|no\s+puedo\s+mas|ganas\s+de\s+morir|pienso\s+en\s+(?:la\s+muerte|"
          r"morir(?:me)?|suicid|matarme)|pensamientos\s+(?:suicidas|de\s+muerte)|me\s+quiero\s+ir\s+para\s+siempre)",
          "past res"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:sleep|go\s+to\s+sleep|fall\s+asleep)\s+and\s+(?:never|not|just\s+not)\s+wake\s+up\b|"
          r"\bif\s+i\s+(?:didnt|dont|never|wouldnt)\s+wake\s+up\b.*\b(?:fine|ok|okay|good|relief|wouldnt\s+mind|"
          r"wouldnt\s+care|be\s+better|dont\s+care)\b|"
          r"\b(?:id|i\s+would)\s+(?:honestly\s+|just\s+|really\s+|much\s+)?rather\s+(?:be\s+dead|die|not\s+"
          r"(?:exist|be\s+alive|be\s+here|wake\s+up))\b(?!.*\bthan\b)|"
          r"\bwant\s+(?:it\s+all|everything|the\s+pain|my\s+life|all\s+of\s+it)\s+to\s+(?:stop|end)\b",
          "neg past res joke you"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:look(?:ing|ed)?\s+up|research(?:ing|ed)?|googl(?:e|ing|ed)|search(?:ing|ed)?(?:\s+for)?|"
          r"read(?:ing)?\s+about)\s+(?:\w+\s+){{0,2}}?(?:ways|how|methods?|the\s+best\s+way)\s+to\s+"
          r"(?:die|kill\s+myself|end\s+(?:it|my\s+life)|overdose|hang\s+myself|commit\s+suicide)\b",
          "neg past joke"),
    # ---------------------------------------------------------------- concern: self-harm
    _rule("self_harm", CONCERN,
          r"\b(?:cut|cutting|cuts|burn|burning|burned|hit|hitting|scratch|scratched|scratching|hurt|hurting|"
          r"harm|harming|punch|punched|punching|starve|starving|bang|banging)\s+myself\b", _ALL),
    _rule("self_harm", CONCERN,
          r"\b(?:self\s+harm(?:ing)?|self\s+injur(?:y|ing|e)|nssi)\b", "neg past res joke"),
    _rule("self_harm", CONCERN,
          r"\b(?:cut|cutting)\s+(?:again|last\s+night|tonight|today|deep|so\s+bad|my\s+(?:arm|arms|wrist|wrists|"
          r"leg|legs|thigh|thighs|skin|stomach|hip|hips))\b|\bwant\s+to\s+cut\b(?!\s+(?:back|down|out|off|ties|"
          r"my\s+hair|class|it|the|that|him|her|them|you|carbs|sugar|caffeine))|\bstarted\s+cutting\b",
          "neg past res joke"),
    _rule("self_harm", CONCERN,
          r"\b(?:urges?|urge|want|wanting|tempted|itching)\s+to\s+(?:cut|burn|hurt|harm|hit)\b(?!\s+(?:back|down|"
          r"my\s+hair|ties|class|carbs|him|her|them|you|someone|somebody|people|my\s+(?:ex|dad|mom|boss)))",
          "neg past res joke"),
    _rule("self_harm", CONCERN,
          r"\b(?:marks|scars|cuts|wounds|burns|bruises)\s+on\s+my\s+(?:arms?|wrists?|legs?|thighs?|stomach|skin|"
          r"body)\b(?!.*\b(?:remind|healed|from\s+years|old|used\s+to))", "neg past res"),
    _rule("self_harm", CONCERN,
          r"\b(?:picking|scratching|cutting|biting|hitting)\b.*\b(?:til|until)\s+(?:it|they|i)\s+(?:bleeds?|bled|"
          r"bruise|bruised)|\b(?:myself|skin)\s+(?:til|until)\s+(?:it|i)\s+(?:bleeds?|bruised?)|"
          r"\b(?:til|until)\s+(?:my\s+)?(?:knuckles|hands?|fists?|skin|arms?)\s+(?:bled|bleed|were\s+bleeding|"
          r"bruised|broke)|\bwant(?:ed)?\s+(?:it|myself)\s+to\s+hurt\b",
          "neg past res"),
    _rule("self_harm", CONCERN,
          r"\b(?:brain|head|voice|voices|mind)\s+(?:\w+\s+){{0,2}}?(?:telling|tells|told)\s+me\s+to\s+"
          r"(?:hurt|kill|cut|harm|end|die)", "neg past res"),
    _rule("self_harm", CONCERN,
          r"\b(?:me\s+corte|cortarme|me\s+sigo\s+cortando|hacerme\s+dano|me\s+hago\s+dano|lastimarme|"
          r"autolesion)", "neg past res"),
    # ---------------------------------------------------------------- concern: hopelessness tied to death
    _rule("hopelessness", CONCERN,
          r"\b(?:going\s+to|gonna|will)\s+(?:just\s+)?die\s+(?:anyway|anyways|one|soon|alone\s+anyway)\b|"
          r"\b(?:going\s+to|will)\s+(?:\w+\s+){{0,2}}?die\b.*\banyways?\b|\bdie\s+(?:an|a)\s+(?:addict|drunk|"
          r"junkie|alcoholic)\b|\bmight\s+as\s+well\s+(?:be\s+sooner|die|end\s+it|be\s+dead|get\s+it\s+over)|"
          r"\bwhy\s+(?:bother|even\s+bother|keep)\s+(?:staying\s+)?(?:alive|living|going|trying\s+to\s+live)\b",
          "neg past res joke"),
    _rule("hopelessness", CONCERN,
          r"\bno\s+way\s+out\b(?!\s+of\s+(?:the\s+)?(?:parking|lot|meeting|traffic))|"
          r"\bonly\s+way\s+out\b|\bno\s+(?:reason|point)\s+(?:to|in)\s+(?:live|living|being\s+alive|"
          r"staying\s+alive|going\s+on|keep\s+living)|\bwhats\s+(?:even\s+)?the\s+point\s+(?:of|in)\s+(?:living|life|"
          r"being\s+alive|staying\s+alive|going\s+on|getting\s+sober|trying|anything)\b.*\b(?:die|dead|anyway|"
          r"alive|living|life)|\bwhats\s+(?:even\s+)?the\s+point\s+(?:of|in)\s+(?:living|life|being\s+alive)\b",
          "neg past res joke"),
    _rule("hopelessness", CONCERN,
          r"\b(?:cant|dont)\s+see\s+myself\s+(?:living|making\s+it|being\s+alive|alive|here|around)\s*"
          r"(?:past|to|until|much|for|in|next)?|\b(?:wont|not\s+going\s+to)\s+(?:live|make\s+it)\s+(?:past|"
          r"to\s+see|much\s+longer)", "neg past res"),
    _rule("hopelessness", CONCERN,
          r"\b(?:no\s+one|nobody|noone)\s+would\s+(?:even\s+)?(?:notice|find\s+me|know)\b|"
          r"\b(?:give|giving|gave)\s+up\s+on\s+(?:living|life|being\s+alive|staying\s+alive|myself\s+completely)\b|"
          r"\b(?:how\s+much\s+longer|dont\s+know\s+how\s+much\s+longer|cant\s+keep)\s+(?:i\s+can\s+)?"
          r"(?:keep\s+)?(?:doing\s+this|going|living|holding\s+on|hold\s+on)\b.*\b(?:not\s+being\s+here|die|"
          r"end|gone|way\s+out|anymore)", "neg past res joke"),
    _rule("hopelessness", CONCERN,
          r"\b(?:tired|sick|exhausted)\s+of\s+(?:being\s+alive|living|existing|life|waking\s+up)\b|"
          r"\bno\s+hope\s+left\b|\b(?:life|living)\s+(?:isnt|is\s+not|aint)\s+worth\s+(?:it|living)\b|"
          r"\bnot\s+worth\s+living\b|\bno\s+(?:le\s+)?veo\s+sentido\s+a\s+(?:la\s+)?vida\b|"
          r"\bno\s+tiene\s+sentido\s+vivir\b|\bsin\s+esperanza\b|\bestoy\s+cansad[oa]\s+de\s+(?:vivir|todo)",
          "neg past res joke"),
    _rule("hopelessness", CONCERN,
          r"\bnot\s+being\s+here\b|\bnot\s+(?:be|being)\s+(?:alive|around)\s+(?:much\s+longer|anymore)\b",
          "neg past res joke"),
    _rule("hopelessness", CONCERN,
          r"\b(?:dont|cant)\s+see\s+(?:a|any)\s+future\s+(?:for\s+(?:me|myself)|ahead\s+of\s+me)\b"
          r"(?!\s+(?:at|in|with)\b)|"
          r"\bdont\s+think\s+(?:i\s+will|im\s+going\s+to)\s+(?:still\s+)?be\s+(?:here|alive|around)\s+"
          r"(?:next\s+year|much\s+longer|for\s+(?:much\s+)?long|a\s+year\s+from\s+now|by\s+(?:christmas|summer|"
          r"the\s+end\s+of))|"
          r"\b(?:death|dying|being\s+dead)\s+(?:\w+\s+){{0,3}}?(?:is|seems|feels|looks)\s+(?:like\s+)?(?:the\s+)?"
          r"only\s+(?:way|option|answer|escape|solution)\b",
          "neg past res joke you"),
    # ---------------------------------------------------------------- concern: burden
    _rule("burden", CONCERN,
          r"\bbetter\s+off\s+(?:without\s+me|dead|if\s+i\s+(?:was|were|wasnt|werent|never|died|left|was\s+gone|"
          r"disappeared)|with(?:out)?\s+me\s+gone|with\s+\w+\s+full\s+time)\b", "neg past res joke"),
    _rule("burden", CONCERN,
          r"\b(?:im|i\s+am|i\s+feel\s+like|feel\s+like\s+im|such)\s+(?!not\b|never\b|no\b)(?:\w+\s+){{0,2}}?"
          r"(?:a\s+)?burden\b|"
          r"\bburden\s+(?:to|on|for)\s+(?:everyone|my|all|the|yall|you|people)\b|\bdead\s+weight\b|"
          r"\bsoy\s+una\s+carga\b|\bestarian\s+mejor\s+sin\s+mi\b|"
          r"\b(?:im|i\s+am|feel\s+like|such)\s+(?:\w+\s+){{0,2}}?a\s+waste\s+of\s+(?:space|air|oxygen|a\s+life)\b",
          "neg past res joke"),
    _rule("burden", CONCERN,
          r"\bif\s+i\s+(?!(?:was|were)\s+(?:you|in\s+your|in\s+(?:this|that|his|her|their|the)|every|to|"
          r"able|going|a\b|an\b|the\b|more|less|still|really|being|safe|ok|okay|fine|alright|having|sure|late|right|"
          r"wrong|ready|allowed|coming|home|there|free|busy|available|awake|asleep|sober|clean|thinking|suicidal))(?:was|were|wasnt|just\s+wasnt|just\s+was|died|disappeared|was\s+dead|wasnt\s+here|"
          r"werent\s+here|was\s+never\s+born|were\s+never\s+born|was\s+gone|were\s+gone)\b"
          r"(?:\s+(?:gone|here|around|anymore|dead|born))?", "neg past res joke you"),
    _rule("burden", CONCERN,
          r"\bwithout\s+me\b.*\b(?:fine|better|keep\s+spinning|easier|happier|move\s+on)|"
          r"\b(?:fine|better|easier|happier)\s+without\s+me\b|\bjust\s+taking\s+up\s+space\b|"
          r"\b(?:no\s+one|nobody|noone)\s+would\s+(?:even\s+)?(?:miss|care|cry)\b|"
          r"\beveryone\s+would\s+(?:cry|be\s+sad|be\s+fine|be\s+better|move\s+on|get\s+over)\b.*"
          r"\b(?:move\s+on|get\s+over|forget|week|telling\s+myself|if\s+i|without)",
          "neg past res joke"),
    # ---------------------------------------------------------------- concern: dangerous relapse
    _rule("dangerous_relapse", CONCERN,
          r"\b(?:relapsed|relapse|using|used|use|drank|drinking|drink|shot\s+up|high|picked\s+up)\b.*\b(?:"
          r"tolerance\s+is\s+(?:gone|low|down)|thats\s+how\s+(?:people|ppl)\s+die|"
          r"(?:dont|do\s+not)\s+(?:really\s+)?care\s+(?:what\s+happens|if\s+i\s+(?:wake|die|live|make\s+it|"
          r"overdose))|if\s+i\s+wake\s+up\s+or\s+not|blacked\s+out|seizure|"
          r"thought\s+i\s+was\s+(?:dying|going\s+to\s+die)|almost\s+didnt\s+make\s+it|almost\s+died|"
          r"wont\s+survive|(?:might|mightve|may)\s+(?:have\s+)?been\s+laced|laced|"
          r"playing\s+with\s+my\s+life|(?<!dont\s)(?<!never\s)(?<!not\s)(?:use|using|used)\s+alone|by\s+myself|"
          r"whatever\s+happens|"
          r"(?<!use\s)alone)", "neg past"),
    _rule("dangerous_relapse", CONCERN, r"\bplaying\s+(?:with\s+my\s+life|russian\s+roulette)\b", "neg past res"),
    _rule("dangerous_relapse", CONCERN,
          r"\b(?:going\s+to|will|about\s+to|planning\s+(?:on|to)|want\s+to)\s+(?:\w+\s+)?(?:use|using|shoot\s+up|"
          r"get\s+high|drink)\s+(?:\w+\s+)?(?:alone|by\s+myself)\b", "neg past res joke"),
    _rule("dangerous_relapse", CONCERN,
          r"\b(?:narcan(?:ned)?|saved)\s+me\b.*\b(?:mad|wish|angry|pissed|shouldnt\s+have)|"
          r"\bwish\s+(?:\w+\s+){{0,2}}?(?:hadnt|didnt|never|had\s+not)\s+(?:saved|narcanned|found|revived)\s+me\b|"
          r"\b(?:wish|kinda\s+wish)\s+i\s+(?:hadnt|had\s+not|didnt)\s+(?:woken|wake|woke|come\s+back)|"
          r"\bon\s+top\s+of\s+my\s+(?:methadone|suboxone|subs|benzos|meds|dose)\b|"
          r"\b(?:xanax|benzos|bars|klonopin|valium)\s+and\s+(?:alcohol|booze|liquor|drinking|vodka)\b|"
          r"\b(?:alcohol|booze|liquor|drinking)\s+and\s+(?:xanax|benzos|bars|klonopin|valium|opioids|fent)\b|"
          r"\bnarcan\s+is\s+expired\b.*\balone\b|\b(?:it|this|next\s+time)\s+(?:will|might|would)\s+be\s+the\s+"
          r"last\s+time\b.*\b(?:survive|die|care|make\s+it)", "neg past"),
    # ---------------------------------------------------------------- concern: written for the category
    # Backstop: a first-person clause that wishes for, welcomes or accepts one's own death.
    _rule("passive_ideation", CONCERN,
          r"\b{DEATHME}\b.*\b{WELCOME}|\b{WELCOME}\b.*\b{DEATHME}\b", "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:wouldnt|would\s+not|dont|do\s+not|wont)\s+(?:even\s+|really\s+)?(?:mind|care|"
          r"be\s+mad|be\s+upset|be\s+sad|complain|fight\s+it)\s+(?:\w+\s+){{0,2}}?(?:if\s+i\s+(?:\w+\s+)?(?:di"
          r"ed|die|didnt\s+wake\s+up|dont\s+wake\s+up|never\s+woke\s+up|got\s+hit|was\s+dead|"
          r"were\s+dead|dont\s+make\s+it|didnt\s+make\s+it|overdosed|overdose|crashed)|dying|"
          r"being\s+dead|not\s+waking\s+up|never\s+waking\s+up)\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:dont|do\s+not)\s+(?:really\s+)?care\s+(?:if|whether)\s+i\s+(?:\w+\s+)?(?:die|"
          r"live\s+or\s+(?:die|not)|wake\s+up|make\s+it|overdose|survive|crash|end\s+up\s+dead)\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:dying|death|being\s+dead)\s+(?:doesnt|does\s+not|dont|no\s+longer|isnt\s+going\s+to)\s+(?:\w+"
          r"\s+)?(?:scare|frighten|bother|worry)\s+me\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:just\s+|basically\s+|only\s+)?waiting\s+(?:to\s+die|for\s+(?:death|my\s+(?:time|"
          r"turn)\s+to\s+die|it\s+all\s+to\s+end|the\s+end\s+to\s+come))\b(?!\s+(?:of|from|"
          r"laughing))",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:wish|wishing|hope|hoping|pray|praying)\s+(?:that\s+)?i\s+(?:just\s+|would\s+)?(?:dont|"
          r"wont|never|do\s+not|didnt)\s+(?:make\s+it\b(?!\s+(?:to|in|on|at|for|back|home|"
          r"there|through\s+(?:the|this)\s+(?:day|week|shift|class|meeting)))|survive|come\s+back|"
          r"pull\s+through)",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:what\s+if|if)\s+i\s+(?:just\s+)?(?:\w+\s+){{0,6}}?and\s+(?:didnt|dont|never|"
          r"wouldnt|did\s+not)\s+wake\s+up\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:till|until|til)\s+my\s+heart\s+(?:gives\s+out|stops|quits|explodes)\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:how\s+easy\s+it\s+would\s+be|tempted|urge|want|wanted)\s+to\s+(?:just\s+)?(?:drive|"
          r"swerve|steer|crash)\s+(?:\w+\s+){{0,2}}?(?:off|into)\s+(?:the\s+)?(?:road|bridge|"
          r"median|tree|wall|traffic|river|lake|cliff|oncoming|semi|truck|guardrail|overpass)\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\bhow\s+easy\s+it\s+would\s+be\s+to\s+(?:just\s+)?(?:die|end\s+it|jump|overdose|"
          r"not\s+wake\s+up|let\s+go|disappear|step\s+(?:off|in\s+front))\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\bhope\s+(?:a|the)\s+(?:car|bus|truck|train|driver)\s+(?:doesnt|wont|does\s+not|"
          r"will\s+not)\s+(?:stop|see\s+me|brake|swerve)\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:wish|hope|hoping|pray|praying)\s+(?:that\s+)?(?:i\s+)?(?:would\s+|could\s+)?(?:get|"
          r"got)\s+(?:hit\s+by|run\s+over|cancer|a\s+heart\s+attack)",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\bpassive\s+(?:si|suicidal|suicide|ideation|death\s+wish)\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:active|passive)\s+si\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\bsi\s+(?:thoughts|urges|ideation|is\s+(?:bad|loud|back|rough))\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:feeling|feel|so|real|really|kinda|very)\s+(?:real\s+|really\s+|kinda\s+|very\s+)?(?:kill\s+y|"
          r"killy|unalivey|unaliveish|kill\s+ish|death\s+wishy)\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:suicide|killing\s+myself|dying|death|ending\s+it|ending\s+my\s+life|self\s+harm)\s+(?:has\s+b"
          r"een|is|keeps|been|was|keeps\s+being)\s+(?:\w+\s+){{0,2}}?on\s+my\s+mind\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:relieved|glad|happy|celebrat\w*|throw\s+a\s+party)\b.*\bat\s+my\s+funeral\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:nobody|no\s+one|noone)\s+would\s+(?:even\s+)?(?:come|show\s+up|go)\s+to\s+my\s+funeral\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\blife\s+is\s+(?:just\s+)?(?:pain|suffering|torture|pointless|meaningless|hell)\b.*\b(?:done|"
          r"over\s+it|tired|had\s+enough|want\s+out|cant\s+do\s+it)\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:probably|likely|gonna|going\s+to|will|prob)\s+(?:just\s+)?(?:be\s+dead|end\s+up\s+dead|"
          r"die)\s+(?:in\s+a\s+(?:year|month|few|couple)|by\s+\d+|before\s+(?:\d+|thirty|forty|"
          r"long)|soon|anyway|anyways)\b",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"(?:^|\bim\s+)(?:so\s+)?done\s+with\s+(?:me|myself|all\s+of\s+it|it\s+all|being\s+me)\s*$",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:couldnt|cant|cannot|can\s+not)\s+(?:keep\s+(?:on\s+)?)?fight(?:ing)?\s*(?:anymore|"
          r"any\s+longer|it\s+anymore)?\s*$",
          "neg past res joke"),
    _rule("passive_ideation", CONCERN,
          r"\b(?:go|going|gonna)\s+out\s+(?:the\s+same\s+way|like)\s+(?:my|her|his)\s+(?:dad|"
          r"father|mom|mother|brother|sister|uncle|aunt|cousin|friend|grandpa|grandma)\s+(?:did|"
          r"went)\b",
          "neg past res joke"),
    # Wishing an overdose or rescue had gone the other way (present wish about a past event; "narcan" is not
    # a resource mention here).
    _rule("passive_ideation", CONCERN,
          r"(?<!used\sto\s)\bwish(?:es)?\s+(?:that\s+)?i\s+(?:had|would\s+have|wouldve)\s+(?:just\s+)?(?:overdosed|died|"
          r"succeeded|finished\s+it|gone\s+through\s+with\s+it|stayed\s+dead)|"
          r"(?<!used\sto\s)\bwish(?:es)?\s+(?:that\s+)?i\s+(?:hadnt|had\s+not|never|had\s+never|didnt)\s+(?:just\s+)?"
          r"(?:been\s+(?:found|saved|narcanned|revived)|woken|woke|wake|come\s+back|made\s+it|survived)|"
          r"\bwish(?:es)?\s+(?:the|that|my|it)\s+(?:\w+\s+){{0,3}}?(?:hadnt|didnt|had\s+not|never|wouldnt\s+have)\s+"
          r"(?:worked|saved\s+me|found\s+me|brought\s+me\s+back|woken\s+me|revived\s+me)",
          "neg joke"),
    # Self-harm acts described by body part, tools, hitting until injury.
    _rule("self_harm", CONCERN,
          r"\b(?:scratch(?:ed|ing)?|cut|cutting|burn(?:ed|ing|t)?|carv(?:ed|ing)|slic(?:ed|ing)|bit|biting|"
          r"gouged|stabbed)\s+(?:up\s+)?(?:into\s+)?my\s+(?:own\s+)?(?:arms?|wrists?|forearms?|legs?|thighs?|skin|"
          r"stomach|hips?)\b(?!.*\b(?:accident\w*|cooking|chopping|kitchen|shaving|fell|slipped|fence|nail|glass|"
          r"branch|bush|cat|dog|kitten|puppy|rash|eczema|hives|bites?|itch\w*|sunburn\w*|oven|stove|pan|iron|"
          r"hiking|climbing|gardening)\b)|"
          r"\b(?:hit|hitting|bang(?:ed|ing)?|bash(?:ed|ing)?|slam(?:med|ming)?|punch(?:ed|ing)?)\s+(?:\w+\s+){{0,6}}?"
          r"(?:til|until)\s+(?:it|they|i|my\s+\w+)\s+(?:bled|bleeds?|bruised|broke|was\s+bleeding|started\s+bleeding)|"
          r"\bpunch(?:ed|ing)?\s+(?:the|a)\s+(?:wall|mirror|door|window)\b.*\b(?:broke|bled|bleeding|want(?:ed)?\s+to|"
          r"on\s+purpose|to\s+feel|knuckles)\b|"
          r"\bmy\s+(?:razor\s+)?blades?\b(?!\s+(?:for|on)\b).*\b(?:use|using|want|miss|found|took|hid|hide|hiding|"
          r"urge|again|still|cut)\b|"
          r"\b(?:found|took|hid|hiding|threw\s+out|taking|bought|ordered|took\s+away)\s+(?:\w+\s+)?(?:razor\s+)?blades\b|"
          r"\b(?:staring|stare|looking)\s+at\s+(?:my|the|a)\s+(?:pill\s+bottle|pills|bottle\s+of\s+pills|razor|"
          r"blade|blades|rope|gun)\b",
          "neg past res joke"),
    # Hiding risk from one's own clinician.
    _rule("passive_ideation", CONCERN,
          r"\b(?:asked|asks|asking)\s+(?:me\s+)?(?:if|whether)\s+(?:im|i\s+was|i\s+am|i\s+felt|i\s+feel)\s+"
          r"(?:safe|suicidal|having\s+(?:any\s+)?thoughts|thinking|ok|okay|going\s+to\s+hurt)\b.*\b(?:lied|lie|lying)\b|"
          r"\blied\s+(?:to\s+(?:my\s+)?(?:\w+\s+)?)?(?:about|that)\s+(?:being\s+|im\s+|i\s+was\s+|i\s+am\s+)?"
          r"(?:safe|not\s+(?:suicidal|having\s+thoughts)|having\s+no\s+thoughts)",
          "neg past joke"),
    # Relapse and not caring what happens.
    _rule("dangerous_relapse", CONCERN,
          r"\b(?:dont|do\s+not)\s+(?:really\s+)?care\s+what\s+happens\s+(?:to\s+me|after|anymore|next)\s*$|"
          r"\b(?:mixed|mixing|took|washed\s+down|chased|downed)\s+(?:\w+\s+){{0,3}}?(?:benzos?|xanax|bars|klonopin|"
          r"valium|ativan|pills|oxys?|percs?|opioids|fent)\s+(?:\w+\s+){{0,1}}?(?:with|and)\s+(?:a\s+)?(?:\w+\s+){{0,3}}?"
          r"(?:vodka|alcohol|booze|liquor|whiskey|wine|beer|fifth|tequila|rum|gin)\b",
          "neg past res joke"),
    # Spanish: wishing for a fatal event, better without me, third person wants to die.
    _rule("passive_ideation", CONCERN,
          r"\bojala\s+(?:que\s+)?(?:me\s+)?(?:diera|de|den|pegara|atropell\w+|muer\w+|mueriera|muriera|"
          r"no\s+despert\w+|desaparec\w+)\b(?!.*\b(?:tiempo|suerte|ganas|risa)\b)|"
          r"\bestar(?:ia|ian)\s+mejor\s+sin\s+mi\b|\bmejor\s+(?:si\s+)?(?:estoy\s+)?muert[oa]\b|"
          r"\bestoy\s+hart[oa]\s+de\s+(?:vivir|todo|la\s+vida)\b",
          "neg past res joke"),
    _rule("third_party", CONCERN,
          r"\bse\s+quiere\s+(?:morir|matar|suicidar)\b(?!\s+de\b)|\b(?:dice|dijo)\s+que\s+(?:quiere\s+"
          r"(?:morirse|matarse|suicidarse)|no\s+quiere\s+vivir)\b", "neg past res joke"),
    # Better off with someone else and me out of the picture.
    _rule("burden", CONCERN,
          r"\bbetter\s+off\s+with\s+(?:\w+\s+){{1,3}}?(?:and|without)\s+(?:me\s+)?(?:just\s+)?(?:me|gone|not\s+around|"
          r"out\s+of\s+the\s+picture|not\s+in\s+the\s+picture)\b|\b(?:me\s+)?(?:not|out\s+of)\s+(?:in\s+)?the\s+"
          r"picture\s+permanently\b",
          "neg past res joke"),
    # ---------------------------------------------------------------- concern: third party reports
    _rule("third_party", CONCERN,
          r"\b{THIRD}\b\s+(?:(?!and\b)\w+\s+){{0,6}}?{SAYS}\s+(?:\w+\s+){{0,5}}?(?:wants?\s+to\s+die|wanted\s+to\s+die|"
          r"kill\s+(?:him|her|them)sel(?:f|ves)|killing\s+(?:him|her|them)sel(?:f|ves)|suicid|"
          r"end\s+(?:it|his\s+life|her\s+life|their\s+life|things)|ending\s+it|not\s+going\s+to\s+be\s+around|"
          r"wont\s+be\s+around|not\s+be\s+around|not\s+being\s+(?:around|here)|goodbye|giving\s+away|"
          r"giving\s+(?:\w+\s+){{0,2}}?away|free\s+soon|wont\s+matter|"
          r"cant\s+do\s+this\s+anymore|sorry\s+for\s+everything|saving\s+(?:up\s+)?(?:pills|meds)|"
          r"has\s+a\s+plan|cutting|cut\s+(?:him|her|them)self|hurting\s+(?:him|her|them)self|hurt\s+(?:him|her|"
          r"them)self|overdos|took\s+(?:a\s+bunch|all|too\s+many)|better\s+off\s+without|no\s+reason\s+to\s+live"
          r"|doesnt\s+want\s+to\s+(?:live|be\s+here|wake\s+up|be\s+alive|exist)|not\s+wanting\s+to\s+(?:be\s+alive|live|"
          r"exist|be\s+here|wake\s+up))", "neg past res"),
    _rule("third_party", CONCERN,
          r"\b{THIRD}\s+(?:(?!and\b)\w+\s+){{0,5}}?(?:posted|posting|sent|texted|wrote|said)\b.*\b(?:goodbye|good\s+bye|final\s+message|"
          r"suicide\s+note|last\s+message)|\bgoodbye\s+ish\b|"
          r"\b(?:cant|cannot)\s+reach\s+(?:her|him|them)\b.*\b(?:what\s+do\s+i\s+do|worried|scared|help)|"
          r"\b(?:went\s+offline|not\s+answering|wont\s+(?:pick\s+up|answer))\b.*\b(?:worried|scared|"
          r"freaking\s+out|what\s+do\s+i\s+do|what\s+should\s+i\s+do|help)|"
          r"\b(?:kill(?:ing)?|hurt(?:ing)?)\s+(?:him|her|them)sel(?:f|ves)\b", "neg past res"),
)

# A clause spoken to someone else with no first person in it ("if you ever think about suicide ...").
ADDRESSED: re.Pattern[str] = re.compile(
    r"^(?!.*\b(?:i|im|ive|id|me|my|myself|mine)\b).*\b(?:you|your|youre|yourself|youll|youd)\b"
)

CLAUSE_SPLIT: re.Pattern[str] = re.compile(r"[.!?;\n]+|\s+but\s+|\s+though\s+|\s+tho\s+|\s+pero\s+")

# A goodbye that says when the person will be back, or why they are away, is not a farewell.
TEMPORARY_BYE: re.Pattern[str] = re.compile(
    r"\b(?:see\s+(?:you|ya|yall|u|everyone)\s+(?:all\s+)?(?:in\s+(?!(?:the\s+|a\s+)?(?:next|another|other|better)\s+(?:life|side|world|place)|heaven|hell)|next|"
    r"on\s+(?!the\s+other\s+side)|at|after|when|"
    r"soon|tomorrow|tmrw|later|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|"
    r"(?:back|home)\s+(?:in|on|next|after|by)\s+(?:a\s+)?(?:few|couple|\d+|two|three|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|september|january|the\s+weekend|next)|"
    r"for\s+(?:a\s+)?(?:few|couple\s+of|two|three|\d+)\s+(?:days|weeks|months)|"
    r"(?:moving|relocating|transferring)\s+to|new\s+job|graduat\w+\s+(?:from\s+)?(?:the\s+)?(?:program|iop)|"
    r"(?:going|heading)\s+(?:into|to)\s+(?:the\s+)?(?:hospital|surgery|rehab|detox|residential)\s+for|"
    r"wrapping\s+up\s+for|logging\s+off|signing\s+off\s+for\s+(?:the\s+)?(?:night|day|weekend))\b"
)

NEGATION_BEFORE: re.Pattern[str] = re.compile(
    r"\bno\s+(?:plans?|thoughts?|intent\w*|urges?|desire|wish)\s+(?:or\s+(?:plans?|thoughts?|intent\w*|urges?)\s+)?"
    r"(?:of|to|about)\s+(?:[a-z]+\s+){0,1}$|"
    r"\b(?:not|never|no|dont|wont|isnt|arent|wasnt|aint|nor|without|didnt|doesnt|havent|hasnt|"
    r"no\s+longer|nothing|zero|stopped|quit|cant|nunca|no\s+me|ya\s+no)\s+(?:[a-z]+\s+){0,2}$|"
    r"\bno\s+(?:estoy|voy|pienso|quiero|tengo|he|estaba)\s+(?:[a-z]+\s+){0,3}$"
)

PAST: re.Pattern[str] = re.compile(
    r"\b(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|few|couple|many|several)\s+"
    r"(?:years?|yrs?|months?|mos?|decades?)\s+ago\b|\blast\s+year\b|\byears\s+ago\b|\bin\s+(?:19|20)\d\d\b|"
    r"\bused\s+to\b|\bwhen\s+(?:he|she|they)\s+first\b|\bwhen\s+i\s+(?:first|was\s+(?:a\s+)?(?:kid|teen|teenager|younger|little|in\s+high\s+school"
    r"|in\s+college|using|drinking|active|at\s+my\s+lowest))|\bin\s+(?:high\s+school|middle\s+school|college)\b"
    r"|\bback\s+(?:then|in\s+(?:the\s+day|\d+|high))\b|\bback\s+when\s+i\s+(?:was|used|first)\b|\bat\s+my\s+lowest\b|"
    r"(?<!after\s)\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|many|several)\s+(?:years?|yrs?)\s+"
    r"(?:free|clean|sober|in)\b|\bthe\s+night\s+(?:she|he|they|i)\s+\w+|"
    r"\b(?:told\s+(?:me|us)|story)\s+about\b|\bin\s+my\s+(?:addiction|active\s+addiction|twenties|teens)\b|"
    r"\bbefore\s+i\s+got\s+(?:sober|clean|help)\b|\bi\s+survived\b|\bsurvivor\b|\bhace\s+\w+\s+anos\b"
)

JOKE: re.Pattern[str] = re.compile(
    r"(?:\blo+l+\b|\blmf?a+o+\b|\bha(?:ha)+h?\b|\bjk\b|\bjkjk\b|\bjoking\b|\bkidding\b|😂|🤣|💀|😭|😆|\brofl\b)"
)

SERIOUS: re.Pattern[str] = re.compile(
    r"\b(?:for\s+real|not\s+a\s+joke|no\s+joke|not\s+joking|not\s+kidding|im\s+serious|i\s+mean\s+it|"
    r"actually|seriously|fr\s+fr|but\s+fr|fr\s+(?:tho|though)|im\s+not\s+(?:ok|okay))\b"
)

RESOURCE: re.Pattern[str] = re.compile(
    r"\b(?:988|741741|911|hotline|helpline|lifeline|crisis\s+(?:text\s+)?line|text\s+line|warmline|warm\s+line|"
    r"text\s+home|call\s+or\s+text|prevention|awareness|training|narcan|naloxone|never\s+use\s+alone|"
    r"movie|film|show|series|episode|book|memoir|novel|documentary|article|news|podcast|song|album|lyrics|"
    r"13\s+reasons|netflix|character|video\s+game|class\s+on|reading|research|statistics|stats|"
    r"suicide\s+rates?|rates?\s+(?:of|go|goes|went|are|is)|"
    r"if\s+(?:anyone|anybody|you|someone)\s+(?:is|are|needs?|feels?)|reach\s+out|resources?|pinned|"
    r"safety\s+plan|if\s+you\s+are\s+struggling|please\s+call|llamar|textear|the\s+word\s+(?:\w+\s+)?(?:is|gets|got|adds|itself|for|like)|avoiding\s+the\s+word|"
    r"(?:dumbest|stupidest|dumb|stupid|cringe)\s+(?:\w+\s+)?word|tiktok\s+words?|"
    r"stigma|euphemisms?|slang\s+for|(?:just\s+)?say\s+suicide|saying\s+suicide|the\s+term)\b"
)

# "counselor asked if im having thoughts of suicide and i could honestly say no"
REPORTED_NO: re.Pattern[str] = re.compile(
    r"\b(?:asked|asks|asking)\s+(?:me\s+)?(?:if|whether)\b.*\b(?:(?:say|said|answer|answered)\s+no|"
    r"the\s+answer\s+(?:is|was)\s+no)\b"
)

REPORTER: re.Pattern[str] = _rx(
    r"\b(?:my|a|this|our|the|some)\s+(?:\w+\s+){{0,3}}?(?:friend|sister|brother|cousin|roommate|mom|mother|dad|"
    r"father|son|daughter|guy|girl|dude|buddy|boyfriend|girlfriend|partner|wife|husband|coworker|sponsee|uncle|"
    r"aunt|niece|nephew|neighbou?r|classmate|member)s?\s+(?:(?!and\b)\w+\s+){{0,4}}?(?<!\bi\s)(?:said|says|saying|told\s+me|texted|posted|"
    r"posting|keeps|kept|messaged|wrote|sent)\b|\b(?:someone|somebody)\s+(?:\w+\s+){{0,4}}?(?<!\bi\s)(?:said|posted|"
    r"texted|wrote)\b|\bthis\s+is\s+\w+s\s+(?:sister|brother|mom|dad|friend|wife|husband|partner)\b"
)
