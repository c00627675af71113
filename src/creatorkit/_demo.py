"""The demo behind ``python -m creatorkit demo``: one section per capability."""

from __future__ import annotations

import json
from typing import Any, TextIO

import numpy as np
import pandas as pd


def _section(out: TextIO, title: str) -> None:
    print(f"\n== {title} " + "=" * max(0, 76 - len(title)), file=out)


def _table(out: TextIO, frame: pd.DataFrame) -> None:
    print(frame.to_string(index=False), file=out)


def run(*, seed: int = 0, out: TextIO) -> None:
    """Print what creatorkit does, computed on embedded synthetic data."""
    import creatorkit as ck
    from creatorkit.metrics import economics
    from creatorkit.tiers import tier

    print(
        f"creatorkit {ck.__version__} — creator scoring for cross-border content commerce", file=out
    )
    data = ck.datasets.synthetic(seed=seed)
    as_of = data.as_of

    _section(out, "Synthetic data (datasets.synthetic)")
    sizes = ", ".join(f"{name} {len(t):,}" for name, t in data.tables().items() if name != "truth")
    print(f"seed={seed}, as_of={as_of.isoformat()}: {sizes}", file=out)

    _section(out, "Validated tables (frames.validate)")
    checked = ck.validate(data.content, ck.Content)
    flags = ", ".join(f"{n.code}: {n.count}" for n in checked.warnings) or "none"
    print(
        f"content: {len(checked.frame):,} rows valid; quality flags kept for review: {flags}",
        file=out,
    )
    try:
        ck.validate(
            data.content.assign(content_id=data.content["content_id"].astype(float)), ck.Content
        )
    except ck.ValidationError as exc:
        print(
            f"19-digit ids read as floats are refused: {exc.codes} "
            f"on {len(exc.failure_cases):,} rows",
            file=out,
        )

    names = ["gpm", "ctr", "engagement_rate"]
    res = _ranking(out, data, names)

    _section(out, "One summary type: chunks merge, any metric compares (summaries)")
    half = len(data.content) // 2
    first, second = data.content.iloc[:half], data.content.iloc[half:]
    merged = ck.metrics.summarize(first, names, by="creator_id", as_of=as_of) + (
        ck.metrics.summarize(second, names, by="creator_id", as_of=as_of)
    )
    whole = ck.metrics.compute(data.content, names, by="creator_id", as_of=as_of)
    got, want = merged.compute().to_frame()[names], whole.to_frame()[names]
    same = bool(np.allclose(got.to_numpy(float), want.to_numpy(float), rtol=1e-12, equal_nan=True))
    print(
        f"two halves summarized and added = the whole table: {same} "
        f"({len(merged.table):,} creators, spec {whole.method.spec_hash})",
        file=out,
    )
    posts = data.content.merge(data.creators[["creator_id", "followers"]], on="creator_id")
    posts = posts.assign(tier=tier(posts["followers"]).astype(str))
    posts = posts[posts["tier"].isin(["1K-20K", "20K-100K"])]
    by_tier = ck.compare.summarize(posts, arm="tier", metrics=ck.metrics.get("engagement_rate"))
    tiers = by_tier.ratios("engagement_rate", control="1K-20K").to_frame()
    print(
        "engagement_rate by tier, per post (delta method): "
        + "; ".join(
            f"{arm} {v:.2%}" + ("" if pd.isna(p) else f" (p = {p:.3g})")
            for arm, v, p in zip(tiers["arm"], tiers["value"], tiers["p_value"], strict=True)
        ),
        file=out,
    )

    _decisions(out, *_scoring(out, seed))
    _point_in_time(out, seed)
    _reviews_and_risk(out, seed)
    _ingest(out)

    _section(out, "Campaign economics (metrics.compute + economics)")
    camp = (
        ck.metrics.compute(
            data.collaborations,
            ["gmv", "cost", "roas", "roi", "fulfillment_rate"],
            by="campaign_id",
        )
        .to_frame()
        .head(4)
    )
    _table(out, camp[["campaign_id", "gmv", "cost", "roas", "roi", "fulfillment_rate"]].round(3))
    be = float(
        economics.break_even_commission(10_000.0, 0.45, other_costs=1_200.0, refund_rate=0.08)
    )
    print(
        f"Break-even commission at 10,000 GMV, 45% margin, 1,200 other costs, 8% refunds: {be:.1%}",
        file=out,
    )

    _section(out, "Net GMV by market in USD as of the snapshot (economics.convert)")
    usd = economics.convert(data.orders, data.fx_rates, to="USD", policy="order_date")
    usd = usd.merge(data.creators[["creator_id", "country"]], on="creator_id")
    market = ck.metrics.compute(
        usd, ["gmv", "net_gmv", "refund_rate", "repurchase_rate"], by="country", as_of=as_of
    ).to_frame()
    _table(out, market[["country", "gmv", "net_gmv", "refund_rate", "repurchase_rate"]].round(3))
    late = int((data.orders["refunded_at"] > as_of).sum())
    print(f"{late} refunds settle after as_of and are not yet subtracted.", file=out)

    _section(out, "Which creator converts best? Posts as units (compare.creators)")
    campaign = data.content[data.content["campaign_id"] == "k003"]
    per = ck.metrics.compute(campaign, ["clicks", "orders"], by="creator_id").to_frame()
    top = per.sort_values(["orders", "creator_id"], ascending=[False, True]).head(4)
    lead = str(top["creator_id"].iloc[0])
    cmp = ck.compare.creators(
        campaign, ck.metrics.get("cvr"), among=top["creator_id"], control=lead
    )
    print(cmp.sentence(), file=out)
    clicks = ck.compare.proportions(
        top["orders"], top["clicks"], labels=top["creator_id"], control=lead, randomized=False
    ).to_frame()
    naive = clicks.iloc[1:].sort_values(["p_adjusted", "arm"]).iloc[0]
    posts = cmp.to_frame().set_index("arm").loc[naive["arm"]]
    print(
        f"Counting every click as an independent trial (compare.proportions) would call "
        f"{naive['arm']} {naive['verdict']} (p_adj = {naive['p_adjusted']:.1e}); with posts "
        f"as units (cluster-robust delta method, t with posts − 1 df, Welch–Satterthwaite) "
        f"p_adj = {posts['p_adjusted']:.3g}: {posts['verdict']}.",
        file=out,
    )
    ab = ck.compare.proportions([412, 468], [10_000, 10_000], labels=["page A", "page B"])
    bayes = ck.compare.bayes_proportions([412, 468], [10_000, 10_000], labels=["page A", "page B"])
    beat = float(bayes.to_frame()["chance_to_beat_control"].iloc[1])
    print(
        f"A randomized A/B test, users as trials: {ab.sentence()}; chance to beat control "
        f"{beat:.1%}",
        file=out,
    )

    _section(out, "Campaign funnel, GMV change and pacing (funnel)")
    steps = ck.funnel.Funnel.content_commerce()
    flow = ck.funnel.from_events(data.events, steps, window="7D", mode=steps.mode, as_of=as_of)
    shown = flow.to_frame()[["step", "name", "users", "conversion", "drop_off", "open"]]
    _table(out, shown.assign(conversion=shown["conversion"].map("{:.1%}".format)))
    counts = ck.funnel.from_counts(
        data.content, ["views", "clicks", "add_to_carts", "orders"], by="creator_id"
    )
    worst = counts.to_frame().sort_values("gmv_opportunity", ascending=False).iloc[0]
    print(
        f"Largest leak among creators: {worst['creator_id']} at {worst['name']} "
        f"({worst['conversion']:.1%} vs peer median {worst['benchmark']:.1%}): "
        f"{worst['gmv_opportunity']:,.0f} USD of GMV at stake",
        file=out,
    )
    content = data.content.assign(month=data.content["published_at"].dt.strftime("%Y-%m"))
    monthly = ck.metrics.compute(content, ["views", "ctr", "cvr", "aov"], by="month").to_frame()
    months = monthly.set_index("month")[["views", "ctr", "cvr", "aov"]].iloc[-3:-1]
    change = ck.funnel.decompose(months.iloc[0], months.iloc[1])
    parts = change.to_frame().set_index("factor")["contribution"]
    print(
        f"GMV {months.index[0]} → {months.index[1]}: {parts['total']:+,.0f} = "
        + ", ".join(f"{k} {v:+,.0f}" for k, v in parts.drop("total").items())
        + " (Shapley)",
        file=out,
    )
    quarter = data.content[data.content["published_at"] > as_of - pd.Timedelta(days=55)]
    pacing = ck.funnel.pace(
        float(quarter["gmv"].sum()),
        float(data.content["gmv"].sum()) * 1.2,
        start=as_of - pd.Timedelta(days=55),
        end=as_of + pd.Timedelta(days=35),
        as_of=as_of,
        kpi="GMV +20% this quarter",
    )
    print(pacing.sentence(), file=out)

    _section(out, "Result contract")
    print(
        "Every result is frozen, with to_frame(), to_dict() (JSON-safe) and a method card:",
        file=out,
    )
    print(json.dumps(res.method.to_dict(), allow_nan=False)[:150] + " ...", file=out)


def _ranking(out: TextIO, data: Any, names: list[str]) -> Any:
    """Top creators per tier by the lower bound of their post-level GPM interval."""
    import creatorkit as ck
    from creatorkit.tiers import tier

    _section(out, "Top creators per tier by GPM's lower bound (metrics.compute, ci='auto')")
    res = ck.metrics.compute(data.content, names, by="creator_id", ci="auto", as_of=data.as_of)
    table = res.to_frame().merge(data.creators[["creator_id", "followers"]], on="creator_id")
    table["tier"] = tier(table["followers"]).astype(str)
    top = (
        table.sort_values(["tier", "gpm_low", "creator_id"], ascending=[True, False, True])
        .groupby("tier", sort=False, observed=True)
        .head(2)
    )
    order = {label: i for i, (_, label) in enumerate(ck.tiers.TIER_SCHEMES["seller_guide"])}
    top = top.assign(_o=top["tier"].map(order)).sort_values(
        ["_o", "gpm_low"], ascending=[True, False]
    )
    shown = pd.DataFrame(
        {
            "tier": top["tier"],
            "creator": top["creator_id"],
            "posts": top["gpm_n"],
            "GPM (95% CI over posts)": [
                f"{v:6.1f} [{lo:6.1f}, {hi:6.1f}]"
                for v, lo, hi in zip(top["gpm"], top["gpm_low"], top["gpm_high"], strict=True)
            ],
            "CTR": top["ctr"].map("{:.2%}".format),
            "engagement": top["engagement_rate"].map("{:.2%}".format),
        }
    )
    _table(out, shown)
    wilson = ck.metrics.compute(data.content, "like_rate", by="creator_id", ci="wilson").to_frame()
    cluster = ck.metrics.compute(data.content, "like_rate", by="creator_id", ci="auto").to_frame()
    ratio = (
        (cluster["like_rate_high"] - cluster["like_rate_low"])
        / (wilson["like_rate_high"] - wilson["like_rate_low"])
    ).median()
    print(
        "Ranked by the lower bound: a post-level interval (Student t, posts − 1 df, log scale) "
        f"is {ratio:.1f}× wider than Wilson's (median like rate), which treats every view as "
        "an independent trial.",
        file=out,
    )
    return res


def _point_in_time(out: TextIO, seed: int) -> None:
    """The world with known truth: restated results at two dates, intervals that cover it."""
    import creatorkit as ck

    _section(out, "As known at a date, in USD (metrics.restate, truth_model@1)")
    world = ck.datasets.synthetic(seed=seed, n_creators=800, n_events=500, model="truth_model@1")
    for day in ("2026-05-31", "2026-06-30"):
        as_of = pd.Timestamp(f"{day}T23:59:59", tz="UTC")
        known = ck.metrics.restate(
            world.collaborations, orders=world.orders, as_of=as_of, refund_window="30D"
        )
        usd = ck.metrics.compute(
            known.table, ["gmv", "roas", "refund_rate"], currency="USD", fx=world.fx_rates
        ).to_frame()
        open_deals = sum(n.count or 0 for n in known.warnings if n.code == "immature_outcome")
        print(
            f"as of {day}: {len(known.table):,} deals, GMV {usd['gmv'][0]:,.0f} USD, "
            f"ROAS {usd['roas'][0]:.2f}, refund rate {usd['refund_rate'][0]:.2%} "
            f"({open_deals} deals with refund windows still open)",
            file=out,
        )
    truth = world.truth.set_index("creator_id")["ctr"]
    covered = {}
    for method in ("auto", "poisson"):
        table = ck.metrics.compute(world.content, "ctr", by="creator_id", ci=method).table
        table = table.set_index("creator_id")
        t = truth.reindex(table.index)
        covered[method] = float(((table["ctr_low"] <= t) & (t <= table["ctr_high"])).mean())
    print(
        f"95% CTR intervals containing each creator's true CTR: over posts {covered['auto']:.0%}, "
        f"Poisson on Σclicks / Σviews {covered['poisson']:.0%}.",
        file=out,
    )


def _reviews_and_risk(out: TextIO, seed: int) -> None:
    """Corrected ratings that disagree with raw stars, and risk flags with evidence."""
    import creatorkit as ck

    _section(out, "Reviews corrected for harsh reviewers; risk flags (reviews, risk)")
    world = ck.datasets.synthetic(seed=seed, n_creators=800, n_events=500, model="truth_model@1")
    ratings = ck.reviews.aggregate(world.reviews)
    table = ratings.creators.set_index("creator_id")
    moved = table[table["reviews"] >= 2].sort_values(["rank_shift", "creator_id"]).index[-1]
    row = table.loc[moved]
    flagged = ratings.reviewers
    harsh = ", ".join(flagged.loc[flagged["flag"] == "harsh", "reviewer_id"]) or "none"
    print(
        f"{moved}: raw {row['mean']:.2f}★ (rank {row['rank_raw']:.0f}) → corrected "
        f"{row['corrected']:.2f}★ [{row['corrected_low']:.2f}, {row['corrected_high']:.2f}] "
        f"(rank {row['rank_corrected']:.0f}); harsh reviewers: {harsh}",
        file=out,
    )
    flags = ck.risk.flags(world.creators, world.content, as_of=world.as_of, samples=world.samples)
    counts = flags.evidence["flag"].value_counts().to_dict()
    print(f"risk flags: {counts}", file=out)
    shown = flags.evidence.loc[flags.evidence["flag"] != "unposted_samples"]
    for who, sentence in zip(shown["creator_id"][:2], shown["sentence"][:2], strict=True):
        print(f"  {who}: {sentence}", file=out)


def _ingest(out: TextIO) -> None:
    """Write a small affiliate-orders export in the shape sellers download, and read it."""
    import tempfile
    from pathlib import Path

    import creatorkit as ck

    _section(out, "Reading a seller's export (ingest.read)")
    header = (
        "\ufeffOrder ID,SKU ID,Payment Amount,Order Status,Creator Username,"
        "Standard commission rate,Time Created,Currency\n"
    )
    line = (
        '\t5770001234567890123,\t1729384756102938476,"$1,234.56",Completed,glowwithmai,'
        "10%,07/06/2026 12:00:00,USD\n"
    )
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "affiliate_orders.csv"
        export.write_text(header + line, encoding="utf-8")
        read = ck.ingest.read(export, tz="America/Los_Angeles")
    row = read.table.iloc[0]
    print(
        f"{read.kind} → {len(read.table)} order line; order id {row['order_id']} (all 19 "
        f"digits), GMV {row['gmv']:,.2f} {row['currency']}, commission rate "
        f"{row['commission_rate']:.0%}, ordered {row['ordered_at'].isoformat()}",
        file=out,
    )


def _scoring(out: TextIO, seed: int) -> tuple[Any, Any, Any]:
    """Score the synthetic creators with a preset: top creators, explanations, exclusions."""
    import creatorkit as ck

    _section(out, "Scoring creators with a preset (Scorecard.preset('beauty/sales'))")
    data = ck.datasets.synthetic(seed=seed, n_events=500, model="truth_model@1")
    card = ck.Scorecard.preset("beauty/sales", currency="USD")
    res = card.score(data, as_of=data.as_of, uncertainty={"draws": 200, "top_k": 10})
    columns = ["creator_id", "score_low", "score_high", "chance_top_k"]
    top = res.top(3).merge(res.table[columns], on="creator_id")
    print(f"{card.id}@{card.version} (spec {card.spec_hash}): {len(res.table):,} scored", file=out)
    for row in top.itertuples():
        print(
            f"#{row.rank} {row.creator_id} {row.score:5.1f} [{row.score_low:.1f}, "
            f"{row.score_high:.1f}]  P(top 10) = {row.chance_top_k:.0%}",
            file=out,
        )
        print(f"    {res.explain(str(row.creator_id)).sentences[1]}", file=out)
    print(f"excluded: {res.exclusions['reason'].value_counts().to_dict()}", file=out)
    return data, card, res


def _decisions(out: TextIO, data: Any, card: Any, res: Any) -> None:
    """A campaign shortlist, the monthly top 10% per market and a budget split."""
    import creatorkit as ck

    _section(out, "Decisions (scoring.shortlist, top_share, allocate)")
    campaign: dict[str, Any] = {"markets": ["ID", "TH", "VN"], "category": "beauty"}
    campaign |= {"goal": "sales", "budget_per_creator": 400, "currency": "USD"}
    sl = ck.scoring.shortlist(card, data, campaign=campaign, k=5, as_of=data.as_of)
    ids = ", ".join(sl.table["creator_id"])
    print(f"shortlist of {sl.eligible} eligible for {campaign}: {ids}", file=out)
    first = sl.exclusions.drop_duplicates("creator_id")["reason"].value_counts()
    shown = "; ".join(f"{reason} ({count})" for reason, count in first.head(3).items())
    print(f"excluded {first.sum():,}, by first failed gate: {shown}; ...", file=out)
    top = ck.scoring.top_share(res, 0.10).groups
    counts = ", ".join(f"{r.country} {r.top_count}/{r.size}" for r in top.itertuples())
    print(f"monthly top 10% per market (ceil of 10% of n): {counts}", file=out)
    gmv = ck.metrics.compute(
        data.content, ["gmv"], by="creator_id", as_of=data.as_of, currency="USD", fx=data.fx_rates
    ).to_frame()
    per_post = (gmv["gmv"] / gmv["gmv_n"]).set_axis(gmv["creator_id"])
    split = ck.scoring.allocate(sl, 2_000.0, expected=per_post, max_per_creator=800.0).table
    parts = ", ".join(f"{r.creator_id} {r.amount:,.0f}" for r in split.itertuples())
    lam = float(split.loc[split["status"] == "funded", "marginal_return"].iloc[0])
    print(f"2,000 USD split by expected GMV per post (log response): {parts}", file=out)
    print(f"    every funded creator's marginal return is {lam:.3f} USD per USD", file=out)
