"""Server-side SVG charts: accessible (title, description with the figures) and safe with any label."""

from __future__ import annotations

from web.pages.charts import Axis, Bar, bars, radar


def test_radar_describes_every_value_of_both_series() -> None:
    svg = radar([Axis("Akuntabel", 3, 4.5), Axis("Loyal", 2, None), Axis("Adaptif", 5, 4)], 1, 5, "Diri vs lain",
                "Diri", "Lain")

    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "Diri vs lain" in svg
    assert "Akuntabel: Diri 3.00, Lain 4.50" in svg
    assert "Loyal: Diri 2.00, Lain —" in svg
    assert svg.count('class="series"') == 2


def test_labels_are_escaped() -> None:
    svg = bars([Bar("<script>alert(1)</script>", 2.0)], 5, "t & u")

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "t &amp; u" in svg


def test_a_bar_with_a_note_shows_the_note_instead_of_a_bar() -> None:
    svg = bars([Bar("Rekan sejawat", None, "ditahan"), Bar("Atasan", 4.0)], 5, "per kategori")

    assert svg.count('class="bar"') == 1
    assert 'class="note"' in svg and "ditahan" in svg


def test_a_limit_is_drawn_and_described() -> None:
    svg = bars([Bar("Sangat Baik", 80.0, limit=70)], 100, "distribusi", fmt=lambda v: f"{v:.0f}%")

    assert "stroke-dasharray" in svg
    assert "Sangat Baik: 80% (limit 70%)" in svg
