#include "tools/cli/report_html.h"

#include <sstream>

#include "tools/cli/html_escape.h"
#include "tools/cli/svg_diagram.h"
#include "workflows/common/time.h"

namespace wijkflow::cli {
namespace {

// Print-friendly and readable without any external resource.
constexpr char kStyle[] = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em;color:#222;
  line-height:1.4}
h1{margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #ccc}
.covers{color:#555;margin-top:0}
table{border-collapse:collapse;font-size:13px;margin:.5em 0}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f2f4f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
tr:nth-child(even) td{background:#fafbfc}
.ok{color:#0b6e4f;font-weight:bold}.broken{color:#b00020;font-weight:bold}
.hash{font-family:ui-monospace,monospace;word-break:break-all}
.diagram-box{overflow-x:auto;border:1px solid #eee;padding:.5em;margin-bottom:1em}
.empty{color:#777;font-style:italic}
)";

std::string E(const std::string& s) { return EscapeHtml(s); }

std::string Cell(const std::string& s, const char* cls = nullptr) {
  return std::string("<td") + (cls ? std::string(" class=\"") + cls + "\"" : "") + ">" + E(s) +
         "</td>";
}

std::string Euros(int64_t cents) { return workflows::FormatEuros(cents); }

void Header(std::ostringstream& out, std::initializer_list<const char*> columns) {
  out << "<thead><tr>";
  for (const char* c : columns) out << "<th>" << c << "</th>";
  out << "</tr></thead>\n<tbody>\n";
}

void Timeline(const Report& r, std::ostringstream& out) {
  out << "<h2 id=\"timeline\">Timeline</h2>\n";
  if (r.timeline.empty()) {
    out << "<p class=\"empty\">No events.</p>\n";
    return;
  }
  out << "<table class=\"timeline\">";
  Header(out, {"recorded", "effective", "instance", "event", "actor", "role", "in the name of",
               "mandate", "rule version", "state before \xE2\x86\x92 after"});
  for (const ReportEvent& e : r.timeline) {
    out << "<tr>" << Cell(e.recorded) << Cell(e.effective) << Cell(e.workflow + "/" + e.id)
        << Cell(e.event) << Cell(e.actor) << Cell(e.role) << Cell(e.on_behalf_of) << Cell(e.mandate)
        << Cell(e.rule_version) << Cell(e.before + " \xE2\x86\x92 " + e.after) << "</tr>\n";
  }
  out << "</tbody></table>\n";
}

void Decisions(const Report& r, std::ostringstream& out) {
  out << "<h2 id=\"decisions\">Decisions</h2>\n";
  if (r.decisions.empty()) {
    out << "<p class=\"empty\">No decisions.</p>\n";
    return;
  }
  out << "<table class=\"decisions\">";
  Header(out, {"effective", "instance", "decision", "decider", "role", "mandate", "on behalf of",
               "rule version", "amount", "reasons"});
  for (const ReportDecision& d : r.decisions) {
    out << "<tr>" << Cell(d.effective) << Cell(d.workflow + "/" + d.id) << Cell(d.event)
        << Cell(d.decider) << Cell(d.role) << Cell(d.mandate.empty() ? "-" : d.mandate)
        << Cell(d.on_behalf_of.empty() ? "-" : d.on_behalf_of) << Cell(d.rule_version)
        << Cell(d.amount_cents > 0 ? Euros(d.amount_cents) : "-", "num") << Cell(d.reasons)
        << "</tr>\n";
  }
  out << "</tbody></table>\n";
}

void Rounds(const Report& r, std::ostringstream& out) {
  out << "<h2 id=\"budget\">Budget use per round (as now)</h2>\n";
  if (r.rounds.empty()) {
    out << "<p class=\"empty\">No subsidy rounds.</p>\n";
    return;
  }
  out << "<table class=\"rounds\">";
  Header(out, {"round", "state", "ceiling", "reserved", "granted (gross)", "released", "settled",
               "remaining"});
  for (const ReportRound& b : r.rounds) {
    out << "<tr data-round=\"" << E(b.id) << "\">" << Cell(b.id) << Cell(b.state)
        << Cell(Euros(b.ceiling_cents), "num") << Cell(Euros(b.reserved_cents), "num")
        << Cell(Euros(b.granted_cents), "num") << Cell(Euros(b.released_cents), "num")
        << Cell(Euros(b.settled_cents), "num")
        << Cell(Euros(b.ceiling_cents - b.reserved_cents), "num") << "</tr>\n";
  }
  out << "</tbody></table>\n";
}

void Diagrams(const Report& r, std::ostringstream& out) {
  out << "<h2 id=\"paths\">Path taken</h2>\n";
  for (const ReportDiagram& d : r.diagrams) {
    int taken = 0;
    for (const auto& [key, n] : d.taken) taken += n;
    out << "<h3>" << E(d.info.name) << "</h3>\n<p>" << taken << " transitions taken, highlighted"
        << (d.show_counts ? " and labelled with how often" : "") << ".</p>\n"
        << "<div class=\"diagram-box\">" << ToSvg(d.info, d.taken, d.show_counts) << "</div>\n";
  }
}

void Integrity(const Report& r, std::ostringstream& out) {
  const ReportIntegrity& i = r.integrity;
  out << "<h2 id=\"integrity\">Integrity</h2>\n<p class=\"verify " << (i.ok ? "ok" : "broken")
      << "\">";
  if (i.ok) {
    out << "The log verifies: every hash chain is intact";
  } else {
    out << "The log does NOT verify: " << E(i.broken);
  }
  out << " (" << i.events_checked << " events in " << i.streams_checked
      << " streams checked).</p>\n<p>Last position " << i.last_position
      << ", last global hash <span class=\"hash\">" << E(i.last_global_hash) << "</span></p>\n";
}

}  // namespace

std::string RenderHtml(const Report& r) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'; img-src data:\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
      << E(r.title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<h1>"
      << E(r.title) << "</h1>\n<p class=\"covers\">" << E(r.covers) << ". Generated "
      << E(r.generated) << ".</p>\n";
  Timeline(r, out);
  Decisions(r, out);
  Rounds(r, out);
  Diagrams(r, out);
  Integrity(r, out);
  out << "</body>\n</html>\n";
  return out.str();
}

}  // namespace wijkflow::cli
