"""Name pools by origin, and the ways agencies write names: spellings, particles, order, typos, scripts.

Pools are common given and family names of the communities on the route (Arabic, Kurdish,
Pashto/Dari, Albanian, Turkish, South Slavic, Greek). Variation follows how records really
differ: romanisation variants (Mohammed/Muhammad/Mohamad/Muhamed), particles dropped or glued
(Al-Hassan/Alhasan/El Hassan), family name first, one-letter typos, and Serbian or Macedonian
Cyrillic or Greek script.
"""

from __future__ import annotations

import random

_M, _F, _FAM = 0, 1, 2
POOLS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "ar": (
        (
            "Mohammed",
            "Ahmad",
            "Ali",
            "Omar",
            "Mahmoud",
            "Khaled",
            "Hassan",
            "Hussein",
            "Yousef",
            "Ibrahim",
            "Mustafa",
            "Abdullah",
            "Karim",
            "Samir",
            "Tariq",
            "Walid",
            "Bilal",
            "Hamza",
            "Rami",
            "Fadi",
        ),
        ("Fatima", "Aisha", "Mariam", "Noor", "Layla", "Rania", "Huda", "Zainab"),
        (
            "Al-Hassan",
            "Al-Ahmad",
            "Haddad",
            "Khalil",
            "Saleh",
            "Mansour",
            "Nasser",
            "Darwish",
            "Al-Obeidi",
            "Hamdan",
            "Al-Khatib",
            "Yassin",
            "Abdullah",
            "Al-Jabouri",
            "Qasim",
            "El-Amrani",
            "Benali",
        ),
    ),
    "ku": (
        (
            "Aram",
            "Karwan",
            "Rebwar",
            "Hiwa",
            "Dilshad",
            "Shwan",
            "Sherzad",
            "Azad",
            "Kawa",
            "Rekan",
            "Hemin",
            "Barzan",
            "Soran",
            "Zana",
            "Ari",
            "Bakhtiyar",
            "Mohammed",
            "Ahmad",
        ),
        ("Shilan", "Nazdar", "Jwan", "Avin", "Lana", "Shno"),
        (
            "Ahmed",
            "Abdulrahman",
            "Mohammed",
            "Rasul",
            "Karim",
            "Aziz",
            "Hamid",
            "Qadir",
            "Hussein",
            "Saleh",
            "Mahmud",
            "Faraj",
            "Osman",
            "Jabbar",
            "Khoshnaw",
        ),
    ),
    "ps": (
        (
            "Mohammad",
            "Ahmad",
            "Abdul Rahman",
            "Gul",
            "Noor",
            "Rahmatullah",
            "Hamid",
            "Zabiullah",
            "Farid",
            "Naveed",
            "Jawad",
            "Wahid",
            "Samiullah",
            "Habib",
            "Asad",
            "Javed",
            "Imran",
            "Yousef",
        ),
        ("Fatima", "Mariam", "Zarghona", "Nadia", "Shabnam", "Malalai"),
        (
            "Ahmadi",
            "Hakimi",
            "Karimi",
            "Rahimi",
            "Stanikzai",
            "Popal",
            "Wardak",
            "Safi",
            "Noori",
            "Sultani",
            "Mohammadi",
            "Amiri",
            "Hotak",
            "Khan",
            "Shinwari",
        ),
    ),
    "sq": (
        (
            "Arben",
            "Besnik",
            "Dritan",
            "Ermal",
            "Fatmir",
            "Gentian",
            "Ilir",
            "Kujtim",
            "Luan",
            "Mentor",
            "Agron",
            "Bujar",
            "Erion",
            "Shkelzen",
        ),
        ("Arta", "Blerina", "Elira", "Mimoza"),
        (
            "Hoxha",
            "Krasniqi",
            "Gashi",
            "Berisha",
            "Shehu",
            "Dervishi",
            "Kola",
            "Leka",
            "Bajrami",
            "Mullaj",
            "Cela",
        ),
    ),
    "tr": (
        ("Mehmet", "Mustafa", "Ahmet", "Hasan", "Hüseyin", "Emre", "Burak", "Murat", "Yusuf", "Ibrahim"),
        ("Ayşe", "Fatma", "Elif", "Zeynep"),
        ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk", "Arslan", "Doğan"),
    ),
    "sr": (
        (
            "Marko",
            "Nikola",
            "Stefan",
            "Dragan",
            "Milan",
            "Zoran",
            "Nenad",
            "Dejan",
            "Goran",
            "Miloš",
            "Vladimir",
            "Saša",
            "Aleksandar",
            "Đorđe",
            "Željko",
        ),
        ("Jelena", "Milica", "Ivana", "Marija"),
        (
            "Jovanović",
            "Petrović",
            "Nikolić",
            "Marković",
            "Đorđević",
            "Stojanović",
            "Ilić",
            "Stanković",
            "Pavlović",
            "Todorović",
            "Kovačević",
            "Popović",
            "Živković",
            "Lukić",
        ),
    ),
    "bs": (
        ("Emir", "Adnan", "Mirza", "Haris", "Kenan", "Edin", "Senad", "Amer", "Almir", "Nermin"),
        ("Amra", "Lejla", "Selma", "Emina"),
        (
            "Hodžić",
            "Hadžić",
            "Mehmedović",
            "Delić",
            "Begić",
            "Omerović",
            "Salihović",
            "Husić",
            "Alić",
            "Muratović",
        ),
    ),
    "hr": (
        ("Ivan", "Josip", "Tomislav", "Ante", "Mario", "Krešimir", "Luka"),
        ("Ana", "Petra", "Maja"),
        ("Horvat", "Kovačević", "Babić", "Marić", "Jurić", "Novak", "Knežević"),
    ),
    "mk": (
        (
            "Aleksandar",
            "Goran",
            "Dimitar",
            "Zoran",
            "Igor",
            "Vlatko",
            "Kiril",
            "Gjorgji",
            "Dzvezdan",
            "Kjiro",
        ),
        ("Elena", "Biljana", "Marija"),
        (
            "Stojanovski",
            "Nikolovski",
            "Trajkovski",
            "Dimitrovski",
            "Petrovski",
            "Ristevski",
            "Gjorgjievski",
            "Kostovski",
            "Kjosevski",
            "Angelovski",
            "Dzeparoski",
        ),
    ),
    "el": (
        ("Georgios", "Dimitrios", "Konstantinos", "Nikolaos", "Ioannis", "Christos"),
        ("Maria", "Eleni", "Katerina"),
        ("Papadopoulos", "Nikolaidis", "Georgiou", "Vlachos", "Karagiannis", "Oikonomou"),
    ),
}

# Romanisation variants of the same name (first is the canonical spelling).
_VARIANTS: tuple[tuple[str, ...], ...] = (
    ("Mohammed", "Muhammad", "Mohamad", "Muhamed", "Mohamed", "Mohammad", "Mehmed"),
    ("Mohammad", "Mohammed", "Muhammad", "Mohamad"),
    ("Ahmad", "Ahmed", "Achmed"),
    ("Ahmed", "Ahmad"),
    ("Hussein", "Husein", "Hussain", "Husayn"),
    ("Hassan", "Hasan"),
    ("Yousef", "Yusuf", "Youssef", "Jusuf"),
    ("Khaled", "Khalid", "Halid"),
    ("Mahmoud", "Mahmud", "Machmud"),
    ("Mahmud", "Mahmoud"),
    ("Mustafa", "Moustafa", "Mustapha"),
    ("Abdullah", "Abdallah", "Abdulla"),
    ("Ibrahim", "Ebrahim", "Ibrahem"),
    ("Omar", "Umar"),
    ("Osman", "Othman", "Usman"),
    ("Qasim", "Kasim", "Qassem"),
    ("Qadir", "Kadir", "Kader"),
    ("Rasul", "Rasool"),
    ("Noor", "Nur"),
    ("Aziz", "Azeez"),
    ("Karim", "Kareem"),
    ("Ahmadi", "Ahmedi"),
    ("Mohammadi", "Muhammadi", "Mohamadi"),
    ("Zabiullah", "Zabihullah"),
    ("Rahmatullah", "Rahmatulla"),
    ("Yassin", "Yasin", "Yaseen"),
    ("Haddad", "Hadad"),
    ("Saleh", "Salih", "Salah"),
    ("Hamid", "Hameed"),
    ("Shwan", "Shuan"),
    ("Rebwar", "Rebuar"),
    ("Bakhtiyar", "Bakhtiar", "Baxtiyar"),
    ("Hiwa", "Hewa"),
    ("Sherzad", "Sherzaad"),
    ("Abdulrahman", "Abdul Rahman", "Abdelrahman"),
    ("Jawad", "Javad"),
    ("Javed", "Jawed"),
    ("Farid", "Fareed"),
    ("Habib", "Habeeb"),
    ("Samiullah", "Sami Ullah"),
    ("Hoxha", "Hodza", "Hoxa"),
    ("Krasniqi", "Krasnici"),
    ("Shkelzen", "Shkëlzen"),
    ("Cela", "Çela"),
    ("Gjorgji", "Djordji", "Georgi"),
    ("Dzvezdan", "Zvezdan"),
)
VARIANTS: dict[str, tuple[str, ...]] = {}
for _group in _VARIANTS:
    VARIANTS.setdefault(_group[0], _group)

# Cyrillic transliteration from Latin (Serbian and Macedonian conventions); digraphs first.
_SR_DIGRAPHS = (
    ("dž", "џ"),
    ("lj", "љ"),
    ("nj", "њ"),
    ("dj", "ђ"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("kh", "х"),
    ("zh", "ж"),
    ("ou", "у"),
    ("ee", "и"),
    ("oo", "у"),
    ("th", "т"),
    ("ph", "ф"),
)
_MK_DIGRAPHS = (
    ("gj", "ѓ"),
    ("kj", "ќ"),
    ("dz", "ѕ"),
    ("dž", "џ"),
    ("lj", "љ"),
    ("nj", "њ"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("kh", "х"),
    ("zh", "ж"),
    ("ou", "у"),
    ("ee", "и"),
    ("oo", "у"),
    ("th", "т"),
)
_CYR = dict(zip("abvgdezijklmnoprstufhcqwxy", "абвгдезијклмнопрстуфхцквксј", strict=False))
_CYR.update(
    {
        "x": "кс",
        "y": "ј",
        "w": "в",
        "q": "к",
        "č": "ч",
        "ć": "ћ",
        "š": "ш",
        "ž": "ж",
        "đ": "ђ",
        "ç": "ч",
        "ë": "е",
        "ı": "и",
        "ş": "ш",
        "ğ": "г",
        "ö": "о",
        "ü": "у",
    }
)
_MK_EXTRA = {"ć": "ќ", "đ": "ѓ"}
_GREEK = {
    "a": "α",
    "b": "μπ",
    "c": "κ",
    "d": "ντ",
    "e": "ε",
    "f": "φ",
    "g": "γ",
    "h": "χ",
    "i": "ι",
    "j": "τζ",
    "k": "κ",
    "l": "λ",
    "m": "μ",
    "n": "ν",
    "o": "ο",
    "p": "π",
    "q": "κ",
    "r": "ρ",
    "s": "σ",
    "t": "τ",
    "u": "ου",
    "v": "β",
    "w": "ου",
    "x": "ξ",
    "y": "γι",
    "z": "ζ",
}


def _collapse_doubles(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if out and out[-1] == ch and ch.isalpha():
            continue
        out.append(ch)
    return "".join(out)


def to_cyrillic(name: str, lang: str = "sr") -> str:
    """A Latin name as a Serbian (``sr``) or Macedonian (``mk``) clerk would write it in Cyrillic."""
    words = []
    digraphs = _MK_DIGRAPHS if lang == "mk" else _SR_DIGRAPHS
    for word in name.split(" "):
        low = _collapse_doubles(word.lower().replace("-", " ").replace("'", ""))
        for lat, cyr in digraphs:
            low = low.replace(lat, cyr)
        table = {**_CYR, **_MK_EXTRA} if lang == "mk" else _CYR
        cyr_word = "".join(table.get(ch, ch) for ch in low)
        words.append(" ".join(part[:1].upper() + part[1:] for part in cyr_word.split(" ")))
    return " ".join(words)


def to_greek(name: str) -> str:
    """A rough Greek-script rendering of a Latin name (as Greek police records sometimes show)."""
    words = []
    for word in name.split(" "):
        low = _collapse_doubles(word.lower().replace("-", ""))
        low = low.replace("sh", "σ").replace("kh", "χ").replace("th", "θ").replace("ou", "ου")
        g = "".join(_GREEK.get(ch, ch) for ch in low)
        if g.endswith("σ"):
            g = g[:-1] + "ς"
        words.append(g[:1].upper() + g[1:])
    return " ".join(words)


def spelling(rng: random.Random, token: str) -> str:
    """A romanisation variant of one name token (or the token itself)."""
    group = VARIANTS.get(token)
    return rng.choice(group) if group else token


def particle(rng: random.Random, family: str) -> str:
    """Arabic article variants: Al-Hassan → Al Hassan / Alhassan / El Hassan / Hassan."""
    for art in ("Al-", "El-"):
        if family.startswith(art):
            rest = spelling(rng, family[len(art) :])
            choice = rng.randrange(5)
            if choice == 0:
                return f"{art[:-1]} {rest}"
            if choice == 1:
                return f"{art[:-1]}{rest.lower()}"
            if choice == 2:
                return f"El {rest}" if art == "Al-" else f"Al {rest}"
            if choice == 3:
                return rest
            return f"{art}{rest}"
    return spelling(rng, family)


def typo(rng: random.Random, text: str) -> str:
    """One-letter error: a dropped, doubled or swapped letter (never the first letter)."""
    if len(text) < 5:
        return text
    i = rng.randrange(1, len(text) - 1)
    if not (text[i].isalpha() and text[i + 1].isalpha()):
        return text
    kind = rng.randrange(3)
    if kind == 0:
        return text[:i] + text[i + 1 :]
    if kind == 1:
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def written_name(
    rng: random.Random, given: str, family: str, *, variant: float, swap: float, typo_rate: float
) -> tuple[str, str, str]:
    """A name as one agency writes it (Latin): (full name, given, family)."""
    g = " ".join(spelling(rng, t) for t in given.split(" ")) if rng.random() < variant else given
    f = particle(rng, family) if rng.random() < variant else family
    if rng.random() < typo_rate:
        if rng.random() < 0.5:
            g = typo(rng, g)
        else:
            f = typo(rng, f)
    full = f"{f.upper()} {g}" if rng.random() < swap else f"{g} {f}"
    return full, g, f


# -- Arabic-script renderings ----------------------------------------------------------------------
# Added for the resolution evaluation (issue 4): some agencies copy names of Arabic, Kurdish and
# Afghan subjects from documents or phone contacts as written there, in Arabic script (Arabic
# spelling; Kurdish Sorani and Dari/Pashto letters where those communities use them). Spellings are
# the usual ones of each name; a name with a part missing here is not rendered.
ARABIC_SCRIPT: dict[str, str] = {
    # Arabic
    "Mohammed": "محمد", "Ahmad": "أحمد", "Ali": "علي", "Omar": "عمر", "Mahmoud": "محمود", "Khaled": "خالد",
    "Hassan": "حسن", "Hussein": "حسين", "Yousef": "يوسف", "Ibrahim": "إبراهيم", "Mustafa": "مصطفى",
    "Abdullah": "عبدالله", "Karim": "كريم", "Samir": "سمير", "Tariq": "طارق", "Walid": "وليد",
    "Bilal": "بلال",
    "Hamza": "حمزة", "Rami": "رامي", "Fadi": "فادي", "Fatima": "فاطمة", "Aisha": "عائشة", "Mariam": "مريم",
    "Noor": "نور", "Layla": "ليلى", "Rania": "رانيا", "Huda": "هدى", "Zainab": "زينب", "Haddad": "حداد",
    "Khalil": "خليل", "Saleh": "صالح", "Mansour": "منصور", "Nasser": "ناصر", "Darwish": "درويش",
    "Obeidi": "عبيدي", "Hamdan": "حمدان", "Khatib": "خطيب", "Yassin": "ياسين", "Jabouri": "جبوري",
    "Qasim": "قاسم", "Amrani": "عمراني", "Benali": "بنعلي",
    # Kurdish (Sorani)
    "Aram": "ئارام", "Karwan": "کاروان", "Rebwar": "ڕێبوار", "Hiwa": "هیوا", "Dilshad": "دلشاد",
    "Shwan": "شوان", "Sherzad": "شێرزاد", "Azad": "ئازاد", "Kawa": "کاوە", "Rekan": "ڕێکان", "Hemin": "هێمن",
    "Barzan": "بارزان", "Soran": "سۆران", "Zana": "زانا", "Ari": "ئاری", "Bakhtiyar": "بەختیار",
    "Shilan": "شیلان", "Nazdar": "نازدار", "Jwan": "جوان", "Avin": "ئاڤین", "Lana": "لانا", "Shno": "شنۆ",
    "Ahmed": "ئەحمەد", "Abdulrahman": "عەبدولڕەحمان", "Rasul": "ڕەسوڵ", "Aziz": "عەزیز", "Hamid": "حەمید",
    "Qadir": "قادر", "Mahmud": "مەحمود", "Faraj": "فەرەج", "Osman": "عوسمان", "Jabbar": "جەبار",
    "Khoshnaw": "خۆشناو",
    # Dari / Pashto
    "Mohammad": "محمد", "Abdul": "عبد", "Rahman": "الرحمن", "Gul": "گل", "Rahmatullah": "رحمت\u200cالله",
    "Zabiullah": "ذبیح\u200cالله", "Farid": "فرید", "Naveed": "نوید", "Jawad": "جواد", "Wahid": "وحید",
    "Samiullah": "سمیع\u200cالله", "Habib": "حبیب", "Asad": "اسد", "Javed": "جاوید", "Imran": "عمران",
    "Zarghona": "زرغونه", "Nadia": "نادیه", "Shabnam": "شبنم", "Malalai": "ملالی", "Ahmadi": "احمدی",
    "Hakimi": "حکیمی", "Karimi": "کریمی", "Rahimi": "رحیمی", "Stanikzai": "ستانکزی", "Popal": "پوپل",
    "Wardak": "وردک", "Safi": "صافی", "Noori": "نوری", "Sultani": "سلطانی", "Mohammadi": "محمدی",
    "Amiri": "امیری", "Hotak": "هوتک", "Khan": "خان", "Shinwari": "شینواری",
}  # fmt: skip
ARABIC_SCRIPT_ORIGINS = frozenset({"ar", "ku", "ps"})


def to_arabic(name: str) -> str | None:
    """A Latin pool name in Arabic script (``Mohammed Al-Hassan`` → ``محمد الحسن``), or None."""
    words: list[str] = []
    for word in name.split(" "):
        article = ""
        for prefix in ("Al-", "El-"):
            if word.startswith(prefix):
                article, word = "ال", word[len(prefix) :]
        written = ARABIC_SCRIPT.get(word)
        if written is None:
            return None
        words.append(article + written)
    return " ".join(words)
