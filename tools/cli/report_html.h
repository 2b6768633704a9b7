// The audit report as one self-contained HTML page (inline CSS and SVG; no script, font or image
// from elsewhere, so it opens offline and can be archived as is). The model below holds what the
// page shows, already read from the log; RenderHtml only lays it out and escapes every string.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/workflow.h"

namespace wijkflow::cli {

struct ReportEvent {
  std::string recorded, effective;  // RFC 3339
  std::string workflow, id, event;  // event: the type's short name, e.g. "Granted"
  std::string actor, role, on_behalf_of, mandate, rule_version;
  std::string before, after;  // the instance's state around the event
};

// An event that records the rule it was taken under and its reasons (Awb 3:46).
struct ReportDecision {
  std::string effective, workflow, id, event;
  std::string decider, role, mandate, on_behalf_of, rule_version;
  int64_t amount_cents = 0;
  std::string reasons;
};

// A subsidy round's budget as it stands now.
struct ReportRound {
  std::string id, state;
  int64_t ceiling_cents = 0, reserved_cents = 0, granted_cents = 0, released_cents = 0,
          settled_cents = 0;
};

struct ReportDiagram {
  engine::WorkflowInfo info;
  std::map<std::string, int> taken;  // EdgeKey -> times taken
  bool show_counts = false;          // label edges with counts (district reports)
};

struct ReportIntegrity {
  bool ok = false;
  uint64_t events_checked = 0, streams_checked = 0;
  std::string broken;  // where the first broken link is, if any
  uint64_t last_position = 0;
  std::string last_global_hash;  // base64, as the exported log writes it
};

struct Report {
  std::string title;
  std::string covers;     // what the report covers, in words
  std::string generated;  // RFC 3339
  std::vector<ReportEvent> timeline;
  std::vector<ReportDecision> decisions;
  std::vector<ReportRound> rounds;
  std::vector<ReportDiagram> diagrams;
  ReportIntegrity integrity;
};

std::string RenderHtml(const Report& report);

}  // namespace wijkflow::cli
