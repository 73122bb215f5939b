"""Localization of numbers, money, dates, times and measurements (translate/localize.py).

The case table is written for these tests: Indonesian source → the expected text
with every quantity rendered, for en_US and en_GB (currency style ``code``).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from translate.errors import TranslateError
from translate.localize import Localizer, find_quantities, parse_number

# (source, en_US, en_GB); None means "same as en_US".
CASES: list[tuple[str, str, str | None]] = [
    # numbers: Indonesian separators, the ambiguous forms and what is left alone
    ("Sebanyak 1.000 orang hadir.", "Sebanyak 1,000 orang hadir.", None),
    ("Penduduknya 1.250.000 jiwa.", "Penduduknya 1,250,000 jiwa.", None),
    ("Nilainya 1.000,5 poin.", "Nilainya 1,000.5 poin.", None),
    ("Indeks ditutup di 7.123,45.", "Indeks ditutup di 7,123.45.", None),
    ("Rasionya 0,75 saja.", "Rasionya 0.75 saja.", None),
    ("Skornya 3.5 dari 5.", "Skornya 3.5 dari 5.", None),
    ("Nilai 1,000.5 ditulis gaya Inggris.", "Nilai 1,000.5 ditulis gaya Inggris.", None),
    ("Angka 1,500 memakai koma desimal.", "Angka 1.500 memakai koma desimal.", None),
    ("Gedung itu dibangun tahun 2020.", "Gedung itu dibangun tahun 2020.", None),
    ("Kode posnya 16111.", "Kode posnya 16111.", None),
    ("Versi 1.2.3 baru dirilis.", "Versi 1.2.3 baru dirilis.", None),
    ("Pasien COVID-19 bertambah.", "Pasien COVID-19 bertambah.", None),
    ("Timnya finis ke-5.", "Timnya finis ke-5.", None),
    ("Ada 5 orang dan 12 anak.", "Ada 5 orang dan 12 anak.", None),
    # scale words
    ("Sekitar 5 juta orang mudik.", "Sekitar 5 million orang mudik.", None),
    ("Sebanyak 1,2 miliar dosis tiba.", "Sebanyak 1.2 billion dosis tiba.", None),
    ("Nilai ekspor 3,75 triliun.", "Nilai ekspor 3.75 trillion.", None),
    ("Ada 50 ribu peserta.", "Ada 50,000 peserta.", None),
    ("Hampir 2,5 ribu relawan.", "Hampir 2,500 relawan.", None),
    ("Totalnya 1.500 juta.", "Totalnya 1.5 billion.", None),
    ("Sebanyak 4 milyar.", "Sebanyak 4 billion.", None),
    # percentages
    ("Harga naik 45 persen.", "Harga naik 45%.", None),
    ("Harga naik 45%.", "Harga naik 45%.", None),
    ("Ekspor turun 2,5 persen.", "Ekspor turun 2.5%.", None),
    ("Bunga naik 0,25 %.", "Bunga naik 0.25%.", None),
    ("Suku bunga 5,75 Persen.", "Suku bunga 5.75%.", None),
    # money
    ("Harganya Rp 50.000 per kilogram.", "Harganya IDR 50,000 per kilogram.", None),
    ("Tiketnya Rp50 ribu.", "Tiketnya IDR 50,000.", None),
    ("Anggarannya Rp 2,5 triliun.", "Anggarannya 2.5 trillion rupiah.", None),
    ("Investasinya US$ 3 juta.", "Investasinya 3 million US dollars.", None),
    ("Biayanya 10 dolar AS.", "Biayanya USD 10.", None),
    ("Tarifnya Rp. 7.500,- per orang.", "Tarifnya IDR 7,500 per orang.", None),
    ("Dananya Rp 1,5 miliar.", "Dananya 1.5 billion rupiah.", None),
    ("Gajinya Rp 4.500.000 sebulan.", "Gajinya IDR 4,500,000 sebulan.", None),
    ("Harganya 50.000 rupiah.", "Harganya IDR 50,000.", None),
    ("Harga per lembar Rp 12.500,50.", "Harga per lembar IDR 12,500.50.", None),
    ("Minyak $75 per barel.", "Minyak USD 75 per barel.", None),
    ("Cadangan devisa US$ 135,1 miliar.", "Cadangan devisa 135.1 billion US dollars.", None),
    ("Pinjaman 500 juta euro.", "Pinjaman 500 million euros.", None),
    ("Hibah 2 juta dolar Singapura.", "Hibah 2 million Singapore dollars.", None),
    ("Ongkosnya Rp25000 saja.", "Ongkosnya IDR 25,000 saja.", None),
    # dates
    ("Acara digelar Sabtu, 31 Oktober 2020.", "Acara digelar Saturday, October 31, 2020.",
     "Acara digelar Saturday, 31 October 2020."),
    ("Ia lahir 17 Agustus 1945.", "Ia lahir August 17, 1945.", "Ia lahir 17 August 1945."),
    ("Surat bertanggal 31/10/2020.", "Surat bertanggal October 31, 2020.",
     "Surat bertanggal 31 October 2020."),
    ("Tenggatnya 01-02-2021.", "Tenggatnya February 1, 2021.", "Tenggatnya 1 February 2021."),
    ("Sejak Oktober 2020 harga naik.", "Sejak October 2020 harga naik.", None),
    ("Pada tahun 1990-an kota itu kecil.", "Pada the 1990s kota itu kecil.", None),
    ("Sejak 1980-an ia menulis.", "Sejak the 1980s ia menulis.", None),
    ("Libur jatuh 25 Desember.", "Libur jatuh December 25.", "Libur jatuh 25 December."),
    ("Rapat Rabu, 2 Juni 2021.", "Rapat Wednesday, June 2, 2021.", "Rapat Wednesday, 2 June 2021."),
    ("Senin, 31 Oktober 2020 tertulis salah.", "Senin, October 31, 2020 tertulis salah.",
     "Senin, 31 October 2020 tertulis salah."),
    ("Tanggal 31/02/2020 tidak ada.", "Tanggal 31/02/2020 tidak ada.", None),
    ("Dirilis 5 Okt. 2020.", "Dirilis October 5, 2020.", "Dirilis 5 October 2020."),
    ("Sejak 3 januari 2022.", "Sejak January 3, 2022.", "Sejak 3 January 2022."),
    # times
    ("Rapat dimulai pukul 14.00 WIB.", "Rapat dimulai pukul 2:00 PM WIB.", "Rapat dimulai pukul 14:00 WIB."),
    ("Mulai pukul 08.30.", "Mulai pukul 8:30 AM.", "Mulai pukul 08:30."),
    ("Pesawat tiba 19.45 WITA.", "Pesawat tiba 7:45 PM WITA.", "Pesawat tiba 19:45 WITA."),
    ("Berangkat jam 06:15 WIT.", "Berangkat jam 6:15 AM WIT.", "Berangkat jam 06:15 WIT."),
    ("Tepat pukul 00.00 WIB.", "Tepat pukul 12:00 AM WIB.", "Tepat pukul 00:00 WIB."),
    ("Toko tutup 14.00 setiap hari.", "Toko tutup 14.00 setiap hari.", None),
    ("Jadwal pukul 25.00 WIB salah.", "Jadwal pukul 25.00 WIB salah.", None),
    # measurements
    ("Jaraknya 12,5 km.", "Jaraknya 12.5 km.", None),
    ("Sejauh 10 kilometer.", "Sejauh 10 kilometers.", "Sejauh 10 kilometres."),
    ("Suhu mencapai 30°C.", "Suhu mencapai 30°C.", None),
    ("Suhu 30 derajat Celsius.", "Suhu 30 degrees Celsius.", None),
    ("Kecepatan 80 km/jam.", "Kecepatan 80 km/h.", None),
    ("Lahan 5 hektare terbakar.", "Lahan 5 hectares terbakar.", None),
    ("Panen 2 juta ton gabah.", "Panen 2 million metric tons gabah.", "Panen 2 million tonnes gabah."),
    ("Beratnya 1.200 kg.", "Beratnya 1,200 kg.", None),
    ("Tingginya 3.5 meter.", "Tingginya 3.5 meters.", "Tingginya 3.5 metres."),
    ("Air 5 liter per orang.", "Air 5 liters per orang.", "Air 5 litres per orang."),
    ("Luasnya 1.000 km².", "Luasnya 1,000 km².", None),
    ("Berat 2,50 ton.", "Berat 2.50 metric tons.", "Berat 2.50 tonnes."),
    # several in one sentence
    ("Harga naik 2,5 persen menjadi Rp 12.500 pada 1 Mei 2021.",
     "Harga naik 2.5% menjadi IDR 12,500 pada May 1, 2021.",
     "Harga naik 2.5% menjadi IDR 12,500 pada 1 May 2021."),
]

TABLE = ([(source, "en_US", us) for source, us, _ in CASES]
         + [(source, "en_GB", gb or us) for source, us, gb in CASES])


def test_the_table_is_large() -> None:
    assert len(CASES) >= 60 and len(TABLE) == 2 * len(CASES)


@pytest.mark.parametrize(("source", "locale", "expected"), TABLE)
def test_case_table(source: str, locale: str, expected: str) -> None:
    assert Localizer(locale).localize(source) == expected


@pytest.mark.parametrize(("style", "expected"), [
    ("code", "IDR 50,000 | 2.5 trillion rupiah | USD 10 | 3 million US dollars | MYR 20"),
    ("symbol", "Rp50,000 | Rp2.5 trillion | $10 | $3 million | RM20"),
    ("words",
     "50,000 rupiah | 2.5 trillion rupiah | 10 US dollars | 3 million US dollars | 20 Malaysian ringgits"),
])
def test_currency_styles(style: str, expected: str) -> None:
    source = "Rp 50.000 | Rp 2,5 triliun | 10 dolar AS | US$ 3 juta | RM 20"
    assert Localizer("en_US", style).localize(source) == expected


def test_symbol_style_follows_the_locale() -> None:
    # CLDR: en_GB writes the US dollar US$, en_AU only as USD ($ is its own dollar)
    assert Localizer("en_GB", "symbol").localize("US$ 3 juta") == "US$3 million"
    assert Localizer("en_AU", "symbol").localize("10 dolar AS") == "USD 10"
    assert Localizer("en_AU", "symbol").localize("Rp 50.000") == "Rp50,000"


def test_other_locales_come_from_babel() -> None:
    assert Localizer("en_AU").localize("pukul 14.00 WIB") == "pukul 2:00 pm WIB"
    assert Localizer("en_IN").localize("Rp 1.250.000") == "IDR 12,50,000"  # lakh grouping
    assert Localizer("en_CA").localize("31/10/2020") == "October 31, 2020"


def test_unknown_locale_and_style_are_errors_with_a_hint() -> None:
    with pytest.raises(TranslateError, match="unknown locale 'xx_QQ'"):
        Localizer("xx_QQ")
    with pytest.raises(TranslateError, match="currency style"):
        Localizer("en_US", "dollars")


@pytest.mark.parametrize(("written", "value", "digits"), [
    ("1.000", "1000", 0),  # a dot before exactly three digits groups thousands
    ("1.000.000", "1000000", 0),
    ("3.5", "3.5", 1),  # a single dot before other than three digits: English decimal point
    ("14.00", "14.00", 2),
    ("2,5", "2.5", 1),  # a single comma is the Indonesian decimal separator...
    ("1,500", "1.500", 3),  # ...even before three digits
    ("1,000,000", "1000000", 0),  # several commas in three-digit groups: English grouping
    ("1.000,5", "1000.5", 1),  # both: the last one is the decimal separator
    ("1,000.5", "1000.5", 1),
    ("2020", "2020", 0),
])
def test_ambiguous_numbers_follow_the_documented_rules(written: str, value: str, digits: int) -> None:
    parsed = parse_number(written)
    assert parsed is not None
    assert parsed[0] == Decimal(value) and parsed[1] == digits


@pytest.mark.parametrize("written", ["1.2.3", "1,2,3", "1.000,5.5", "12.34.567"])
def test_malformed_numbers_are_not_numbers(written: str) -> None:
    assert parse_number(written) is None


def test_spans_hold_parsed_quantities() -> None:
    spans = find_quantities("Pada Sabtu, 31 Oktober 2020 pukul 14.00 WIB, Rp 2,5 triliun cair.")
    assert [s.text for s in spans] == ["Sabtu, 31 Oktober 2020", "14.00 WIB", "Rp 2,5 triliun"]
    date, time, money = (s.quantity for s in spans)
    assert (date.kind, str(date.date), date.weekday) == ("date", "2020-10-31", True)
    assert (time.kind, str(time.time), time.zone) == ("time", "14:00:00", "WIB")
    assert (money.kind, money.currency, money.value, money.scale) == ("currency", "IDR", Decimal("2.5"), 12)
    assert money.total == Decimal("2.5E12")


def test_code_characters_are_walls() -> None:
    # "**2**,5": the emphasis codes split the number; neither half may swallow the other
    spans = find_quantities("naik \ue0002\ue001,5 persen")
    assert [s.text for s in spans] == ["2"]


@pytest.mark.parametrize(("source", "expected"), [
    ("Rp 3,5 miliar", "Rp 3.5 billion"),
    ("Rp250.000", "Rp 250,000"),
    ("Rp50 ribu", "Rp 50,000"),
    ("US$ 3 juta", "$3 million"),
    ("pukul 14.00 WIB", "pukul 2 p.m. WIB"),
    ("pukul 05.30 WIB", "pukul 5:30 a.m. WIB"),
    ("pukul 12.00", "pukul noon"),
    ("pukul 00.00", "pukul midnight"),
    ("naik 2,5 persen", "naik 2.5 percent"),
    ("31/10/2020", "October 31, 2020"),  # dates stay CLDR's
])
def test_ap_style(source: str, expected: str) -> None:
    assert Localizer("en_US", style="ap").localize(source) == expected


def test_ap_style_is_in_the_signature() -> None:
    assert Localizer("en_US", style="ap").signature() == "localize=en_US,code,style=ap"
    assert Localizer("en_US").signature() == "localize=en_US,code"


@pytest.mark.parametrize("locale", ["id_ID", "id", "fr_FR", "ms_MY"])
def test_target_locale_must_be_english(locale: str) -> None:
    with pytest.raises(TranslateError, match="not an English locale"):
        Localizer(locale)


def test_unknown_style() -> None:
    with pytest.raises(TranslateError, match="unknown style"):
        Localizer("en_US", style="chicago")


@pytest.mark.parametrize(("style", "source", "expected"), [
    ("cldr", "Utang 1.234.567.890.123.456.789.012.345.678.901 rupiah",
     "Utang IDR 1,234,567,890,123,456,789,012,345,678,901"),
    ("cldr", "naik 1.234.567.890.123.456.789.012.345.678,5 persen",
     "naik 1,234,567,890,123,456,789,012,345,678.5%"),
    ("ap", "naik 1.234.567.890.123.456.789.012.345.678,5 persen",
     "naik 1,234,567,890,123,456,789,012,345,678.5 percent"),
])
def test_numbers_longer_than_the_decimal_context_are_written_exactly(style: str, source: str,
                                                                       expected: str) -> None:
    """Found by the fuzzer (seed 1): Babel rounds in the 28-digit default context (InvalidOperation)."""
    assert Localizer(style=style).localize(source) == expected
