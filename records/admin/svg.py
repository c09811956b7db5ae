"""A Series drawn as inline SVG on the server: no script, no CDN, works for any admin user.

The line is each bucket's average; when buckets hold several readings a
shaded band spans their minimum and maximum. Time runs left to right in UTC.
"""

import math
from datetime import timedelta

from django.utils.html import escape
from django.utils.safestring import mark_safe

WIDTH, HEIGHT = 900, 320
LEFT, RIGHT, TOP, BOTTOM = 70, 50, 20, 50
X_TICKS, Y_TICKS = 6, 5


def nice_ticks(low, high, count=Y_TICKS):
    """Round values spanning [low, high]: steps of 1, 2 or 5 times a power of ten."""
    if low == high:
        low, high = low - 1, high + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(power * m for m in (1, 2, 5, 10) if power * m >= raw)
    first = math.floor(low / step) * step
    ticks = [first]
    while ticks[-1] < high:
        ticks.append(ticks[-1] + step)
    return ticks


def _number(value):
    return f"{value:.6g}"


def _time_label(moment, span):
    if span <= timedelta(days=2):
        return moment.strftime("%m-%d %H:%M")
    if span <= timedelta(days=400):
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%Y-%m")


def render(series, unit):
    """The chart as an SVG element (safe HTML), or None when the window holds no readings."""
    if not series.buckets:
        return None
    since, until = series.window.since, series.window.until
    ticks = nice_ticks(series.minimum, series.maximum)
    low, high = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    span = (until - since).total_seconds()

    def x(moment):
        return LEFT + plot_w * (moment - since).total_seconds() / span

    def y(value):
        return TOP + plot_h * (1 - (value - low) / (high - low))

    parts = [
        f'<svg class="sensor-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title"'
        ' xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">Readings from {since:%Y-%m-%d %H:%M} to {until:%Y-%m-%d %H:%M} UTC,'
        f" {escape(unit) or 'no unit'}</title>",
    ]
    for tick in ticks:
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>')
        parts.append(f'<text class="y-tick" x="{LEFT - 6}" y="{y(tick) + 4:.1f}">{_number(tick)}</text>')
    for n in range(X_TICKS + 1):
        moment = since + (until - since) * n / X_TICKS
        parts.append(f'<line class="grid" x1="{x(moment):.1f}" x2="{x(moment):.1f}" y1="{TOP}" y2="{TOP + plot_h}"/>')
        label = _time_label(moment, until - since)
        parts.append(f'<text class="x-tick" x="{x(moment):.1f}" y="{TOP + plot_h + 16}">{label}</text>')
    parts.append(f'<text class="axis-title" x="{LEFT + plot_w / 2}" y="{HEIGHT - 8}">time (UTC)</text>')
    parts.append(
        f'<text class="axis-title" transform="translate(14 {TOP + plot_h / 2}) rotate(-90)">{escape(unit)}</text>'
    )
    if series.aggregated:
        upper = [f"{x(b[0]):.1f},{y(b[3]):.1f}" for b in series.buckets]
        lower = [f"{x(b[0]):.1f},{y(b[2]):.1f}" for b in reversed(series.buckets)]
        parts.append(f'<polygon class="band" points="{" ".join(upper + lower)}"/>')
    line = " ".join(f"{x(b[0]):.1f},{y(b[4]):.1f}" for b in series.buckets)
    parts.append(f'<polyline class="line" points="{line}"/>')
    if len(series.buckets) == 1:
        b = series.buckets[0]
        parts.append(f'<circle class="point" cx="{x(b[0]):.1f}" cy="{y(b[4]):.1f}" r="3"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers and escaped text only
