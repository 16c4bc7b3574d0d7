/// The HTML dashboard: one self-contained page (no outside resources) that reads `/v1/status` and
/// `/v1/events` every two seconds and draws regions, gateways, states, scores, latencies, steering,
/// each site's load, shed and failback share, overrides, peers and the latest events.
/// Everything from the status document is inserted as text, never as markup.
enum DashboardPage {
    static func html(director: String) -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Meridian · \(director)</title>
        <style>
        :root { --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --muted: #656d76; --line: #d0d7de; }
        * { box-sizing: border-box; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #f6f8fa; }
        header { background: #24292f; color: #fff; padding: 12px 20px; display: flex; gap: 16px; align-items: baseline; flex-wrap: wrap; }
        header h1 { font-size: 18px; margin: 0; }
        header .meta { color: #c9d1d9; font-size: 12px; }
        main { padding: 16px 20px; max-width: 1200px; }
        .regions { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 16px; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
        .card h2 { font-size: 16px; margin: 0 0 4px; display: flex; gap: 8px; align-items: center; }
        .why { color: var(--muted); font-size: 12px; margin-bottom: 8px; }
        table { width: 100%; border-collapse: collapse; font-size: 13px; }
        th { text-align: left; color: var(--muted); font-weight: 600; border-bottom: 1px solid var(--line); padding: 4px 6px; }
        td { border-bottom: 1px solid #eaeef2; padding: 4px 6px; vertical-align: top; }
        .badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: #fff; }
        .up, .available { background: var(--ok); }
        .unconfirmed, .drained, .warming { background: var(--warn); }
        .down, .unavailable, .isolated { background: var(--bad); }
        .err { color: var(--bad); }
        .num { font-variant-numeric: tabular-nums; text-align: right; }
        section { margin-top: 20px; }
        section h3 { font-size: 15px; margin: 0 0 8px; }
        #problem { display: none; background: #ffebe9; border: 1px solid var(--bad); padding: 8px 12px; border-radius: 6px; margin-bottom: 12px; }
        </style>
        </head>
        <body>
        <header><h1>Meridian · <span id="director">\(director)</span></h1><span class="meta" id="meta">loading…</span><span id="badges"></span></header>
        <main>
        <div id="problem"></div>
        <div class="regions" id="regions"></div>
        <section><h3>Steering now</h3><div class="card"><table id="steering"></table></div></section>
        <section><h3>Load</h3><div class="card"><table id="load"></table></div></section>
        <section><h3>Overrides</h3><div class="card" id="overrides"></div></section>
        <section><h3>Peers</h3><div class="card" id="peers"></div></section>
        <section><h3>Latest events</h3><div class="card"><table id="events"></table></div></section>
        </main>
        <script>
        "use strict";
        function el(tag, attrs, ...children) {
          const node = document.createElement(tag);
          for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
          for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(child ?? ""));
          return node;
        }
        const badge = (text, cls) => el("span", {class: "badge " + (cls || text)}, text);
        const ms = (value) => value == null ? "–" : (value < 10 ? value.toFixed(2) : value.toFixed(1)) + " ms";
        const pct = (value) => value == null ? "–" : Math.round(value * 100) + "%";
        const ago = (iso) => iso ? Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000)) + "s ago" : "–";
        function render(status) {
          const d = status.director;
          document.getElementById("meta").textContent =
            `v${d.version} · up ${Math.round(d.uptimeSeconds)}s · config ${d.configuration.serial ? "release " + d.configuration.serial + " " : ""}${d.configuration.fingerprint || "(built in)"} · updated ${new Date(status.generatedAt).toLocaleTimeString()}`;
          const badges = document.getElementById("badges");
          badges.replaceChildren();
          if (d.warmingUp) badges.append(badge("warming up", "warming"));
          if (d.isolated) badges.append(badge("isolated", "isolated"));
          if (d.configuration.lastReloadError) badges.append(badge("reload refused", "down"));
          const regions = document.getElementById("regions");
          regions.replaceChildren(...status.regions.map((region) => {
            const rows = region.gateways.map((g) => el("tr", {"data-gateway": g.name},
              el("td", {}, g.name), el("td", {}, g.address), el("td", {}, badge(g.state)),
              el("td", {class: "num"}, ms(g.latencyMs)),
              el("td", {}, g.lastProbe ? (g.lastProbe.ok ? "ok " : "") : "–",
                 g.lastProbe && !g.lastProbe.ok ? el("span", {class: "err"}, g.lastProbe.error || "failed") : "",
                 g.lastProbe ? " · " + ago(g.lastProbe.at) : ""),
              el("td", {title: g.reason}, g.consecutiveFailures ? `${g.consecutiveFailures} failed` : `${g.consecutiveSuccesses} ok`)));
            return el("div", {class: "card", "data-region": region.name},
              el("h2", {}, region.name, badge(region.availability)),
              el("div", {class: "why"}, `${region.reason} · score ${region.score} · latency ${ms(region.latencyMs)}`),
              el("table", {}, el("tr", {}, ...["gateway", "address", "state", "latency", "last probe", "in a row"].map((h) => el("th", {}, h))), ...rows));
          }));
          const steering = document.getElementById("steering");
          const head = el("tr", {}, ...["service", "policy", "client network", "goes to", "why"].map((h) => el("th", {}, h)));
          const rows = status.services.flatMap((service) => service.steering.map((s) => el("tr", {},
            el("td", {}, service.fqdn), el("td", {}, service.policy), el("td", {}, s.network),
            el("td", {}, !s.region ? badge(service.allDown, "down") : Object.keys(s.shares || {}).length > 1
              ? Object.entries(s.shares).sort((a, b) => b[1] - a[1]).map(([r, v]) => `${r} ${pct(v)}`).join(", ") : s.region),
            el("td", {class: "why"}, s.reason))));
          steering.replaceChildren(head, ...(rows.length ? rows : [el("tr", {}, el("td", {}, "no client networks configured"))]));
          const load = document.getElementById("load");
          const loadRows = status.services.flatMap((service) => (service.sites || []).map((site) => el("tr", {"data-load": service.name + "/" + site.region},
            el("td", {}, service.fqdn), el("td", {}, site.region), el("td", {class: "num"}, site.demand),
            el("td", {class: "num"}, site.load), el("td", {class: "num"}, site.capacity == null ? "–" : `${site.capacity} (${pct(site.utilisation)})`),
            el("td", {}, site.shed > 0 ? badge("sheds " + pct(site.shed), "drained") : "–"),
            el("td", {}, site.failback == null ? "–" : badge(pct(site.failback) + " back", "warming")),
            el("td", {class: "why"}, service.short ? "the fleet has no room: every site above its high watermark" : site.demandSource))));
          load.replaceChildren(el("tr", {}, ...["service", "site", "demand", "load", "capacity (use)", "shed", "failback", ""].map((h) => el("th", {}, h))),
            ...(loadRows.length ? loadRows : [el("tr", {}, el("td", {}, "no eligible site"))]));
          const overrides = document.getElementById("overrides");
          overrides.replaceChildren(status.overrides.length
            ? el("table", {}, ...status.overrides.map((o) => el("tr", {}, el("td", {}, o.target), el("td", {}, badge(o.action, o.action === "up" ? "up" : "down")),
                el("td", {}, `${o.reason} (${o.author})`), el("td", {}, o.expiresAt ? "until " + o.expiresAt : "no expiry"))))
            : el("span", {class: "why"}, "none"));
          const peers = document.getElementById("peers");
          peers.replaceChildren(status.peers.length
            ? el("table", {}, ...status.peers.map((p) => el("tr", {"data-peer": p.director}, el("td", {}, p.director), el("td", {class: "why"}, p.region),
                el("td", {}, badge(p.state, p.state === "fresh" ? "up" : "down")), el("td", {}, "heard " + ago(p.lastHeard)),
                el("td", {}, p.sameConfiguration === false ? badge("different configuration", "down") : ""),
                el("td", {class: "err"}, p.lastSendError || ""))))
            : el("span", {class: "why"}, "no other director"));
        }
        function renderEvents(events) {
          const table = document.getElementById("events");
          table.replaceChildren(...(events.length
            ? events.map((e) => el("tr", {}, el("td", {}, new Date(e.at).toLocaleTimeString()), el("td", {}, e.kind),
                el("td", {}, e.subject), el("td", {class: "why"}, e.message)))
            : [el("tr", {}, el("td", {class: "why"}, "nothing yet"))]));
        }
        async function refresh() {
          const problem = document.getElementById("problem");
          try {
            const response = await fetch("v1/status", {cache: "no-store"});
            if (!response.ok) throw new Error("HTTP " + response.status);
            render(await response.json());
            const events = await fetch("v1/events?limit=20", {cache: "no-store"});
            if (events.ok) renderEvents(await events.json());
            problem.style.display = "none";
          } catch (error) {
            problem.textContent = "Cannot read /v1/status: " + error.message;
            problem.style.display = "block";
          }
        }
        refresh();
        setInterval(refresh, 2000);
        </script>
        </body>
        </html>
        """
    }
}
