"""Test data shared by the resolution tests (imported by name: conftest puts this folder on the path)."""


def person(eid, dataset, name, **props):
    properties = {"name": [name] if isinstance(name, str) else name}
    for key, value in props.items():
        properties[key] = value if isinstance(value, list) else [value]
    return {"id": eid, "schema": "Person", "properties": properties, "datasets": [dataset]}


# One smuggler written five ways by five agencies; his brother; a namesake; an unrelated man.
ALHASAN = [
    person(
        "eu-europol.p1",
        "eu_europol",
        "Mohammed Al-Hassan",
        birthDate="1988-04-12",
        nationality="sy",
        phone="+381 64 123 4567",
    ),
    person("hr-mup.p7", "hr_mup", "Muhamed Alhasan", birthDate="12.04.1988.", phone="+381641234567"),
    person("rs-mup.p3", "rs_mup", "Мухамед Алхасан", birthDate="12.04.1988.", phone="064 123 4567"),
    person("gb-nca.p9", "gb_nca", "محمد الحسن", birthDate="1988", nationality="sy", phone="0038164123 4567"),
    person("gr-police.p2", "gr_police", "Μωχάμεντ Αλχασάν", birthDate="12/04/1988"),
]
BROTHER = person("de-bpol.p5", "de_bpol", "Ahmad Al-Hassan", birthDate="1993-07-01", phone="+381641234567")
NAMESAKE = person(
    "fr-ocriest.p8", "fr_ocriest", "Mohammed Al-Hassan", birthDate="1971-11-30", phone="+33 6 12 34 56 78"
)
OTHER = person("hu-police.p4", "hu_police", "Goran Petrović", birthDate="1980-02-02")
