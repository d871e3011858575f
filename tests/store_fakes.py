"""Stand-ins for the rules for store/pipeline tests: observations are written
into the article text as marker lines, so any article (also one built in a
subprocess) carries its own expected observations.

    @obs {"figure": "troops", "value": [12000, 12000, "approx"], "claimant": "NIS"}
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from monitor.config import Settings, load_config
from monitor.models import Article, Observation, Value
from monitor.pipeline import Context
from monitor.rules import Figure
from monitor.store import Store

MARK = "@obs "


def obs_line(figure: str, value: list[Any], **extra: Any) -> str:
    return MARK + json.dumps({"figure": figure, "value": value, **extra}, ensure_ascii=False)


class FakeRules:
    def __init__(self, figures: list[dict[str, Any]] | None = None) -> None:
        self.figures = {f["id"]: Figure(**{"title": f["id"], "kind": "count",
                                           "unit_label": "troops", "measure": ("x",), **f})
                        for f in (figures or [])}

    def match(self, article: Article, verdicts: Any = None) -> list[Observation]:
        out = []
        for offset, line in _lines(article.text):
            if not line.startswith(MARK):
                continue
            spec = json.loads(line[len(MARK):])
            low, high, qualifier = spec["value"]
            prev = spec.get("previous")
            claimant = spec.get("claimant")
            fig = self.figures.get(spec["figure"])
            out.append(Observation(
                figure=spec["figure"], article=article.url, published=article.published,
                low=low, high=high, qualifier=qualifier, unit="troop", surface=str(low),
                quote=spec.get("quote", line), claimant=claimant,
                start=offset, end=offset + len(line), article_id=article.id,
                source=article.source,
                track=(claimant or "") if fig and fig.per_claimant else "",
                previous=Value(*prev) if prev else None))
        return out


def _lines(text: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def article(url: str, published: str | None, text: str, *, title: str = "",
            source: str = "test") -> Article:
    return Article(id=url, title=title or url, url=url, source=source,
                   published=published, lang="en", text=text)


def settings_for(tmp_path: Path, db: str = "figmon.db") -> Settings:
    cfg = tmp_path / "figmon.yaml"
    cfg.write_text(f"database: {db}\nrules: rules\n", encoding="utf-8")
    return load_config(cfg)


def context(tmp_path: Path, figures: list[dict[str, Any]] | None = None,
            db: str = "figmon.db") -> Context:
    settings = settings_for(tmp_path, db)
    return Context(settings=settings, store=Store.open(settings.database),
                   rules=FakeRules(figures))
