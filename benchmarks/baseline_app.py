"""The baseline: a bare Flask route rendering a Jinja template, served like the app itself.

Run by web_bench.py as `python benchmarks/baseline_app.py --bind ADDR --workers N --bytes SIZE`:
the page is grown to about SIZE bytes so that it matches the app's result page.
"""

from __future__ import annotations

import argparse

from flask import Flask, render_template
from jinja2 import DictLoader

from bfr_triage.server import Server, options

TEMPLATE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><main><h1>{{ title }}</h1>
{% for item in items %}<section id="item-{{ loop.index }}"><h2>{{ item.heading }}</h2>
<p>{{ item.text }}</p><a href="/q/{{ item.id }}?lang=en">Change <span>{{ item.heading }}</span></a>
</section>
{% endfor %}</main></body></html>
"""
ITEM = {
    "id": "loading",
    "heading": "Because you answered that you may put some weight on the leg",
    "text": "Blood flow restriction training lets you build strength with light loads & <care>.",
}


def create_baseline(size: int) -> Flask:
    """Return a one-route app whose page is about `size` bytes."""
    app = Flask(__name__)
    # A loaded template, compiled once and cached, as the app's own templates are.
    app.jinja_loader = DictLoader({"page.html": TEMPLATE})
    one = len(render_items(app, 2)) - len(render_items(app, 1))
    count = max(1, (size - len(render_items(app, 0))) // max(one, 1))

    @app.route("/", methods=["GET", "POST"])
    def page() -> str:
        return render_template("page.html", title="Result", items=[ITEM] * count)

    return app


def render_items(app: Flask, count: int) -> str:
    with app.app_context():
        return render_template("page.html", title="Result", items=[ITEM] * count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bind", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bytes", type=int, default=12_000)
    args = parser.parse_args()
    Server(create_baseline(args.bytes), options(args.bind, args.workers)).run()


if __name__ == "__main__":
    main()
