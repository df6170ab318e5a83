"""Redaction of open answers before they are quoted, stable quote ids, exclusion and usability."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from analysis_fixtures import make_codebook, make_municipalities

from helpers.analysis.quotes import (
    LARGE_LABEL,
    MAX_REMOVED_SHARE,
    SMALL_LABEL,
    first_names,
    quotable_answers,
    quote_id,
    redact,
    text_answers,
)
from helpers.paths import frame_path


@pytest.fixture(scope="module")
def names() -> list[str]:
    return list(pd.read_csv(frame_path(2018))["gemeentenaam"])


@pytest.mark.parametrize(
    ("text", "gone", "kind"),
    [
        ("Mail j.jansen@groningen.nl voor info.", "j.jansen@groningen.nl", "e-mailadres"),
        ("Mail info [at] gemeente-x.nl voor info.", "info [at] gemeente-x.nl", "e-mailadres"),
        ("Kijk op www.werkpleinutrecht.nl/statushouders.", "www.werkpleinutrecht.nl", "website"),
        ("Bel 06-12345678 voor een afspraak.", "06-12345678", "telefoonnummer"),
        ("Bel 06 1234 5678 voor een afspraak.", "06 1234 5678", "telefoonnummer"),
        ("Bel +31 (0)20 123 45 67 voor een afspraak.", "123 45 67", "telefoonnummer"),
        ("Bel 0031612345678 voor een afspraak.", "0031612345678", "telefoonnummer"),
        ("Bel (020) 1234567 voor een afspraak.", "1234567", "telefoonnummer"),
        ("Het BSN 123456789 staat in het dossier.", "123456789", "BSN-achtig nummer"),
        ("Het BSN 1234.56.789 staat in het dossier.", "1234.56.789", "BSN-achtig nummer"),
        ("Dossiernummer 2018-004711-22 is bekend.", "004711", "zaak- of dossiernummer"),
        ("Het nummer 2018-004711-22 is bekend.", "004711", "lang nummer"),
        ("Stort op NL91ABNA0417164300 of NL20 INGB 0001 2345 67.", "0417164300", "rekeningnummer (IBAN)"),
        ("Stort op nl20 ingb 0001 2345 67 graag.", "2345", "rekeningnummer (IBAN)"),
        ("Dit betreft zaaknummer Z-2018-04512, graag doorzetten.", "04512", "zaak- of dossiernummer"),
        ("Zie ons kenmerk U18.04512 in de brief.", "U18.04512", "zaak- of dossiernummer"),
        ("Zijn BSN 123 456 782 staat in het dossier.", "456", "BSN-achtig nummer"),
        ("Mail naar j.jansen at gemeente punt nl voor info.", "jansen", "e-mailadres"),
        ("Mail m punt visser apenstaartje regio punt nl voor info.", "visser", "e-mailadres"),
        ("Mail k.mulder (at) werkplein [dot] nl voor info.", "mulder", "e-mailadres"),
        ("Het loket zit aan de Stationsstraat 12 in de stad.", "Stationsstraat 12", "adres"),
        ("Zijn adres is Burgemeester de Withstraat 44-2 sinds kort.", "Withstraat 44", "adres"),
        ("Stuur het naar Postbus 90155 graag.", "90155", "adres"),
        ("Op 3 maart jl. was er overleg.", "3 maart", "datum"),
        ("Hij is op drie april gestart.", "drie april", "datum"),
        ("Het gesprek was op 12-04-2018 in de middag.", "12-04-2018", "datum"),
        ("In de wijk Kanaleneiland draaien we een project.", "Kanaleneiland", "plaats- of wijknaam"),
        ("De wijken Selwerd en Beijum doen mee.", "Beijum", "plaats- of wijknaam"),
        ("In de Schilderswijk wonen veel gezinnen.", "Schilderswijk", "plaats- of wijknaam"),
        ("De Almeerders en Zoetermeerders doen mee.", "meerders", "gemeentenaam"),
        ("De Lelystedelingen doen mee.", "Lelystedelingen", "gemeentenaam"),
        ("Bakker zei dat de taalcoach helpt.", "Bakker", "persoonsnaam"),
        ("Op het overleg was JANSEN van het UWV.", "JANSEN", "persoonsnaam"),
        ("Het dossier ligt bij DE GROOT van team inkomen.", "GROOT", "persoonsnaam"),
        ("Casus besproken met Jan B. en de consulent.", "Jan B.", "persoonsnaam"),
        ("Vraag ing. R. Meijer naar de stand van zaken.", "Meijer", "persoonsnaam"),
        ("Ons loket zit op 9712 HN en 3511ab.", "9712 HN", "postcode"),
        ("Wethouder De Vries steunt het plan.", "Vries", "persoonsnaam"),
        ("Volgens mevrouw Jansen werkt het.", "Jansen", "persoonsnaam"),
        ("Dat zei J.P. de Vries al eerder.", "J.P. de Vries", "persoonsnaam"),
        ("Onze klantmanager Fatima helpt veel mensen.", "Fatima", "persoonsnaam"),
        ("Samen met Mohammed Ali loopt het goed.", "Mohammed Ali", "persoonsnaam"),
    ],
)
def test_contact_details_numbers_and_names_are_removed(names, text, gone, kind):
    red = redact(text, names)
    assert gone not in red.text and kind in red.kinds, red.text


@pytest.mark.parametrize(
    "spelling",
    [
        "Groningen", "groningen", "GRONINGEN", "Groningens", "Groningse", "Groninger", "Groningers",
        "Utrecht", "Utrechtse", "Utrechters", "Amsterdammers", "Amsterdamse", "Rotterdammer",
        "Den Haag", "den haag", "Haagse", "Hagenaars", "'s-Gravenhage", "s-Gravenhage", "Den Bosch", "Bossche",
        "Súdwest-Fryslân", "Sudwest-Fryslan", "Súdwest Fryslân", "SudwestFryslan", "Súdwest Fryslân (Sudwest-Fryslan)",
        "Bergen (NH)", "Bergen NH", "Bergen (NH.)", "Bergen (Noord-Holland)", "Bergen (L.)",
        "Zwolse", "Leidse", "Delftse", "Eindhovense", "Tilburgse", "Nijmeegse", "Leeuwarder", "Edese", "Osse",
        "Alphen aan den Rijn", "Bergen op Zoom", "Nuenen, Gerwen en Nederwetten",
    ],
)  # fmt: skip
def test_municipality_names_in_any_spelling(names, spelling):
    red = redact(f"Wij werken in {spelling} samen met werkgevers en het UWV.", names)
    assert red.text == "Wij werken in [gemeente] samen met werkgevers en het UWV.", red.text
    assert red.kinds == ("gemeentenaam",)


@pytest.mark.parametrize(
    "text",
    [
        "Het beste resultaat halen we samen met de buren en de regio.",  # Best, Buren only as names
        "In 2017 en 2018 (2017-2018) steeg de uitstroom naar 35,5% en 1.250.000 euro.",
        "We hebben € 1.250.000 uitgetrokken voor 120 trajecten in 12 weken.",
        "Edelweiss en Bestuur blijven staan, net als leek, goes en putten.",
        "Statushouders krijgen een Ben-taalcursus.",
        "Wij werken samen met UWV, COA, Divosa en werkgevers in het kader van de Participatiewet.",
        "De VNG en het ministerie van SZW hebben ons ondersteund; het Rode Kruis helpt ook.",
        "Het Werkplein 2 dagen per week open, de Kerkweg 3 keer per jaar afgesloten.",
        "In maart 2018 en in 2019 liepen drie trajecten van twaalf weken.",
        "De Noord-Hollandse werkgevers en de Randstad bieden kansen.",
    ],
)
def test_ordinary_words_numbers_and_amounts_stay(names, text):
    assert redact(text, names).text == text


def test_titles_stay_and_the_name_goes(names):
    assert redact("Onze klantmanager mevr. De Vries belt.", names).text == "Onze klantmanager mevr. [naam] belt."
    assert redact("Wethouder Van der Linden steunt het.", names).text == "Wethouder [naam] steunt het."


def test_overlapping_findings_become_one_placeholder_named_by_the_longest(names):
    red = redact("Mail j.jansen@groningen.nl of bel 06-12345678 voor info.", names)
    assert red.text == "Mail [e-mail] of bel [telefoonnummer] voor info."
    assert [k for _, _, k in red.spans] == ["email", "phone"]


def test_a_name_still_found_after_redaction_makes_the_quote_unusable(names, monkeypatch):
    import helpers.analysis.quotes as quotes

    first = quotes._find
    calls: list[str] = []

    def finder(text, key):  # the first pass misses "Bakker"; the check on the redacted text finds it
        calls.append(text)
        found = first(text, key)
        return found if len(calls) > 1 else [s for s in found if "Bakker" not in text[s[0] : s[1]]]

    monkeypatch.setattr(quotes, "_find", finder)
    red = redact("Volgens Bakker werkt het goed met de werkgevers in de regio.", names)
    assert red.residual == ("Bakker",) and not red.usable


def test_capitalised_everyday_word_municipality_is_redacted(names):
    assert redact("Wij werken samen met Buren en Best.", names).text == "Wij werken samen met [gemeente] en [gemeente]."


def test_removed_share_decides_usability(names):
    long = redact("(synthetisch) Wij werken met werkgevers in de regio Zwolle en het UWV samen aan banen.", names)
    assert long.usable and 0 < long.removed_share < MAX_REMOVED_SHARE
    short = redact("Groningen, Haren en Zuidhorn: bel 050-1234567.", names)
    assert not short.usable and short.removed_share > MAX_REMOVED_SHARE
    assert redact("Meer budget nodig.", names).usable  # nothing to redact: always usable


def test_first_names_list_is_shipped_with_its_source():
    assert {"jan", "fatima", "mohammed", "annemieke"} <= first_names()
    assert "ben" not in first_names() and "job" not in first_names()


def test_quote_id_is_stable_and_not_the_respondent_id():
    qid = quote_id(2018, "remarks", "R_1oSwClUAOnjiXna")
    assert qid == hashlib.sha256(b"2018:remarks:R_1oSwClUAOnjiXna").hexdigest()[:10] and len(qid) == 10
    assert qid != quote_id(2019, "remarks", "R_1oSwClUAOnjiXna") != quote_id(2018, "other", "R_1oSwClUAOnjiXna")


def test_quotable_answers_once_per_respondent_with_ids_and_exclusion():
    cb, df = make_codebook(), make_municipalities()
    q = cb.question("remarks")
    quotes = quotable_answers(df, q, None, 2018)
    assert [x.size_class for x in quotes] == [LARGE_LABEL, LARGE_LABEL, SMALL_LABEL]
    redacted = next(x for x in quotes if "[gemeente]" in x.text)
    assert redacted.text == "Wij werken samen met [gemeente] en de regio." and redacted.redactions == ["gemeentenaam"]
    assert redacted.id == quote_id(2018, "remarks", "R01") and redacted.usable
    left = quotable_answers(df, q, None, 2018, exclude_ids=[redacted.id])
    assert len(left) == 2 and redacted.id not in {x.id for x in left}
    table = text_answers(df, cb, "remarks", exclude_ids=[redacted.id])
    assert "Wij werken samen met [gemeente] en de regio." not in table.data["Antwoord"].tolist()


def test_text_answers_leaves_out_answers_that_lose_too_much(names):
    cb, df = make_codebook(), make_municipalities()
    df = df.copy()
    first = df.index[df["respondent_id"] == "R01"]
    df.loc[first, "remarks"] = "Stad A: bel 06-12345678."
    table = text_answers(df, cb, "remarks")
    assert table.n == 2 and "1 antwoord(en) weggelaten" in table.footnote
    assert not any("06-12345678" in t for t in table.data["Antwoord"])


def test_quotes_take_turns_between_size_classes_and_the_same_wording_is_quoted_once():
    from helpers.analysis.quotes import Quote
    from helpers.report.quote_register import alternate

    found = [
        Quote("a", "q", SMALL_LABEL, "Taal eerst."),
        Quote("b", "q", SMALL_LABEL, "Werk eerst."),
        Quote("c", "q", LARGE_LABEL, "taal  eerst."),
        Quote("d", "q", LARGE_LABEL, "Samen met de werkgever."),
    ]
    assert [q.id for q in alternate(found, None)] == ["a", "d", "b"]
    assert [q.id for q in alternate(found, 2)] == ["a", "d"]


def test_the_quotes_register_keeps_the_markers_never_the_original(tmp_path):
    from helpers.report.quote_register import QuoteRegister

    cb, df = make_codebook(), make_municipalities()
    df = df.copy()
    first = df.index[df["respondent_id"] == "R01"]
    original = ("Volgens mevr. Jansen (NL91ABNA0417164300, zaaknummer Z-2018-04512) helpt de taalcoach veel bij het "
                "oefenen van sollicitatiegesprekken met werkgevers uit de regio en het UWV.")  # fmt: skip
    df.loc[first, "remarks"] = original
    quotes = quotable_answers(df, cb.question("remarks"), None, 2018)
    register = QuoteRegister(tmp_path, "03_policy", 3)
    register.add(q for q in quotes if q.usable)
    written = register.path.read_text(encoding="utf-8")
    assert "Volgens mevr. [naam] ([rekeningnummer], zaaknummer [zaaknummer]) helpt de taalcoach veel" in written
    assert not any(part in written for part in ("Jansen", "0417164300", "04512"))
