/// A self-contained HTML5 page: inline CSS (screen and `@media print`), no scripts, no external
/// assets, so a report opens offline, mails as one file and prints readably.
public struct HTMLPage: Sendable, Hashable {
    /// The `<title>` and the `<h1>`.
    public var title: String
    /// A line under the heading (plain text).
    public var subtitle: String
    /// The body's HTML (already escaped by whoever built it).
    public var body: String

    /// Creates a page.
    public init(title: String, subtitle: String, body: String) {
        self.title = title
        self.subtitle = subtitle
        self.body = body
    }

    /// The whole document. O(body).
    public func html() -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="generator" content="cohort">
        <title>\(HTMLText.escape(title))</title>
        <style>
        \(Self.css)
        </style>
        </head>
        <body>
        <header><h1>\(HTMLText.escape(title))</h1><p class="subtitle">\(HTMLText.escape(subtitle))</p></header>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    /// The inline style sheet: charts' colours by class (`s0`…`s5` fills, `l0`…`l5` lines), tables,
    /// and a print layout (no page-width limit, sections kept whole, colours printed).
    static let css = """
        :root { --c0: #2f6db0; --c1: #e07b22; --c2: #3a9a4f; --c3: #8e5bb5; --c4: #c23b3b; --c5: #6b6b6b; }
        * { box-sizing: border-box; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1b1b; max-width: 1000px; margin: 1.5em auto; padding: 0 1em; }
        h1 { font-size: 1.6em; margin: 0; } h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 2px solid #ddd; padding-bottom: .2em; }
        h3 { font-size: 1.1em; margin-top: 1.4em; } .subtitle { color: #555; margin: .2em 0 1em; }
        table { border-collapse: collapse; margin: .5em 0 1.2em; font-variant-numeric: tabular-nums; }
        th, td { padding: .25em .7em; border-bottom: 1px solid #e2e2e2; text-align: left; vertical-align: top; }
        th { background: #f4f4f4; font-weight: 600; } td.n, th.n { text-align: right; white-space: nowrap; }
        .pass { color: #1d6b32; font-weight: 600; } .fail { color: #b00020; font-weight: 700; } .muted { color: #777; }
        .banner { background: #fff4d0; border: 1px solid #e3c35c; padding: .5em 1em; margin: 1em 0; }
        .banner.bad { background: #fde7ea; border-color: #d9808d; } .banner.good { background: #e6f4ea; border-color: #8cc79c; }
        .meta { color: #444; } code { font-size: .95em; }
        .charts { display: flex; flex-wrap: wrap; gap: 1em; } .charts > figure { flex: 1 1 360px; margin: 0; }
        figure { margin: .5em 0; } figcaption { color: #555; font-size: .9em; }
        svg.chart { width: 100%; height: auto; display: block; }
        svg.bar, svg.timeline { max-width: 760px; } svg.line { max-width: 420px; }
        svg text { font-size: 11px; fill: #333; } svg text.axis { fill: #555; } svg text.num { font-size: 9px; fill: #fff; font-weight: 700; }
        .s0 { fill: var(--c0); } .s1 { fill: var(--c1); } .s2 { fill: var(--c2); } .s3 { fill: var(--c3); } .s4 { fill: var(--c4); } .s5 { fill: var(--c5); }
        .l0, .l1, .l2, .l3, .l4, .l5 { fill: none; stroke-width: 2; }
        .l0 { stroke: var(--c0); } .l1 { stroke: var(--c1); } .l2 { stroke: var(--c2); } .l3 { stroke: var(--c3); } .l4 { stroke: var(--c4); } .l5 { stroke: var(--c5); }
        .err { stroke: #111; stroke-width: 1.2; fill: none; } .mark { stroke: #b00020; stroke-width: 1.5; stroke-dasharray: 4 3; fill: none; }
        .grid { stroke: #e6e6e6; } .axisline, .lane { stroke: #999; } .lane { stroke: #eee; }
        .span.study { fill: #d3e2f2; } .span.step { fill: #e4e4e4; } .span.round { fill: var(--c0); }
        .event { fill: var(--c1); stroke: #7a3c00; } .na { fill: #999; font-style: italic; }
        @media print {
          body { max-width: none; margin: 0; padding: 0; font-size: 10pt; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          h2 { break-after: avoid; } section, figure, svg.chart, tr { break-inside: avoid; }
          .banner { border-width: 2px; } a { color: inherit; text-decoration: none; }
        }
        """
}
