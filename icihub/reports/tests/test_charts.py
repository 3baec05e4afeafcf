"""The charts' roles for assistive technology: an image when nothing in it can
be used, a named group when its bars are links (an image hides its links)."""

from icihub.reports import charts


def test_a_chart_with_links_is_a_group_and_one_without_an_image():
    linked = [charts.Bar("Kuwait", 3, url="/reports/records/trained/?country=KWT")]
    plain = [charts.Bar("Kuwait", 3)]
    for draw in (charts.horizontal_bars, charts.columns, charts.shares):
        with_links = draw(linked, title="Trained")
        assert 'role="group" aria-label="Trained"' in with_links
        assert "<a href=" in with_links
        without = draw(plain, title="Trained")
        assert 'role="img" aria-label="Trained"' in without
        assert "<a " not in without
