package uk.jlm.klaviyo.ops;

import java.util.Collection;
import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.HtmlUtils;

import uk.jlm.klaviyo.backfill.Backfill;
import uk.jlm.klaviyo.backfill.BackfillMetrics;

/**
 * The status page at {@code /}: each flow's state, last poll, lag, outbox and dead letters — aggregates only,
 * readable without login like a health page. Rendered on the server so it reads without JavaScript, then
 * refreshed live from {@code /status.json}. Dead-letter details and replay go through {@code /ops/**}.
 */
@RestController
class StatusPageController {

    private final OpsStatus status;
    private final BackfillMetrics backfill;

    StatusPageController(OpsStatus status, BackfillMetrics backfill) {
        this.status = status;
        this.backfill = backfill;
    }

    @GetMapping(path = "/status.json", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> json() {
        return Map.of("flows", status.all().values(), "backfill", backfillLine());
    }

    @GetMapping(path = "/", produces = MediaType.TEXT_HTML_VALUE)
    String page() {
        return PAGE_HEAD + rows(status.all().values()) + PAGE_MIDDLE + esc(backfillLine()) + PAGE_TAIL;
    }

    /** One line of aggregates about the latest backfill run (no personal data). */
    private String backfillLine() {
        Map<String, Object> r = backfill.summary();
        return "NONE".equals(r.get("status")) ? "no backfill has run (POST /ops/backfill?since=…)"
                : Backfill.progressLine(r);
    }

    private static String rows(Collection<OpsStatus.FlowStatus> flows) {
        StringBuilder html = new StringBuilder();
        for (OpsStatus.FlowStatus f : flows) {
            html.append("<tr id=\"flow-").append(esc(f.flow())).append("\" class=\"").append(esc(f.state().toLowerCase()))
                    .append("\"><th scope=\"row\">").append(esc(f.flow())).append("</th>")
                    .append(cell("state", "state", f.state()))
                    .append(cell("lastPoll", "last poll", f.secondsSinceLastPoll() == null ? "never" : f.secondsSinceLastPoll() + " s ago"))
                    .append(cell("lag", "lag", f.oldestPendingAgeSeconds() == null ? "0 s" : f.oldestPendingAgeSeconds() + " s"))
                    .append(cell("pending", "pending", Long.toString(f.pending())))
                    .append(cell("inFlight", "in flight", Long.toString(f.inFlight())))
                    .append(cell("delivered", "delivered", Long.toString(f.delivered())))
                    .append("<td data-k=\"deadLetters\" data-label=\"dead letters\"><a href=\"/ops/dead-letters?flow=").append(esc(f.flow()))
                    .append("\">").append(f.deadLetters()).append("</a> <button type=\"button\" data-replay=\"")
                    .append(esc(f.flow())).append("\"").append(f.deadLetters() == 0 ? " disabled" : "")
                    .append(">Replay</button></td></tr>\n");
        }
        return html.toString();
    }

    private static String cell(String key, String label, String value) {
        return "<td data-k=\"" + key + "\" data-label=\"" + label + "\">" + esc(value) + "</td>";
    }

    private static String esc(String value) {
        return HtmlUtils.htmlEscape(value == null ? "" : value);
    }

    private static final String PAGE_HEAD = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>jlm-klaviyo status</title>
            <style>
            body{font-family:system-ui,sans-serif;margin:1rem;color:#222}
            h1{font-size:1.3rem}table{border-collapse:collapse;width:100%}
            th,td{padding:.45rem .6rem;border-bottom:1px solid #ddd;text-align:left;white-space:nowrap}
            thead th{background:#f4f4f4;font-size:.85rem}
            tr.ok td[data-k=state]{color:#0a7a2f;font-weight:600}
            tr.stale td[data-k=state],tr.failing td[data-k=state]{color:#b00020;font-weight:600}
            tr.disabled{color:#999}.wrap{overflow-x:auto}small{color:#666}
            @media (max-width:600px){thead{display:none}table,tbody,tr,th,td{display:block}
            tr{border:1px solid #ddd;border-radius:6px;margin:.6rem 0;padding:.3rem .2rem}
            th[scope=row]{font-size:1.1rem;border:0}td{border:0;padding:.2rem .6rem}
            td::before{content:attr(data-label) ": ";color:#666}}
            </style></head><body>
            <h1>jlm-klaviyo — John Lewis Marketplace → Klaviyo</h1>
            <p><small>Live; refreshes every 5 s. Lag = age of the oldest pending event. Dead letters and replay need the ops login.
            Metrics: <a href="/actuator/prometheus">/actuator/prometheus</a> · health: <a href="/actuator/health">/actuator/health</a></small></p>
            <div class="wrap"><table><thead><tr><th>flow</th><th>state</th><th>last poll</th><th>lag</th><th>pending</th>
            <th class="inFlight">in flight</th><th class="delivered">delivered</th><th>dead letters</th></tr></thead><tbody id="flows">
            """;

    private static final String PAGE_MIDDLE = """
            </tbody></table></div><p><small>Backfill: <span id="backfill">""";

    private static final String PAGE_TAIL = """
            </span></small></p><p id="msg" role="status"></p>
            <script>
            const ago = s => s == null ? 'never' : s + ' s ago';
            async function refresh() {
              try {
                const r = await fetch('/status.json', {cache: 'no-store'});
                const {flows, backfill} = await r.json();
                document.getElementById('backfill').textContent = backfill;
                for (const f of flows) {
                  const row = document.getElementById('flow-' + f.flow);
                  if (!row) continue;
                  row.className = f.state.toLowerCase();
                  const set = (k, v) => { row.querySelector('[data-k=' + k + ']').textContent = v; };
                  set('state', f.state); set('lastPoll', ago(f.secondsSinceLastPoll));
                  set('lag', (f.oldestPendingAgeSeconds ?? 0) + ' s'); set('pending', f.pending);
                  set('inFlight', f.inFlight); set('delivered', f.delivered);
                  row.querySelector('[data-k=deadLetters] a').textContent = f.deadLetters;
                  row.querySelector('[data-replay]').disabled = f.deadLetters === 0;
                }
              } catch (e) { document.getElementById('msg').textContent = 'refresh failed: ' + e; }
            }
            document.getElementById('flows').addEventListener('click', async ev => {
              const flow = ev.target.dataset && ev.target.dataset.replay;
              if (!flow) return;
              // X-Requested-With: a missing login answers 401 without a Basic challenge (no browser pop-up mid-page).
              const r = await fetch('/ops/dead-letters/replay?flow=' + encodeURIComponent(flow),
                  {method: 'POST', headers: {'X-Requested-With': 'XMLHttpRequest'}});
              const msg = document.getElementById('msg');
              if (r.status === 401) {
                msg.innerHTML = 'Replay needs the ops login: open <a href="/ops/dead-letters">the dead letters</a> '
                  + '(your browser asks for it), then press Replay again.';
              } else {
                msg.textContent = r.ok ? 'replay of ' + flow + ' started' : 'replay failed: HTTP ' + r.status;
              }
              refresh();
            });
            setInterval(refresh, 5000);
            </script></body></html>
            """;
}
