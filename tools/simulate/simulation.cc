#include "tools/simulate/simulation.h"

#include <algorithm>
#include <functional>
#include <map>
#include <queue>
#include <random>

#include "tools/scenario/scenario.h"
#include "wijkflow/initiative.pb.h"
#include "wijkflow/mandate.pb.h"
#include "wijkflow/subsidy_round.pb.h"
#include "workflows/common/time.h"
#include "workflows/initiative/rules.h"

namespace wijkflow::simulation {
namespace {

namespace ipb = ::wijkflow::initiative;
namespace rpb = ::wijkflow::round;
namespace mpb = ::wijkflow::mandate;
using workflows::DateMicros;
using workflows::kDay;
using workflows::ToTimestamp;

constexpr const char* kDistricts[] = {
    "afrikaanderwijk", "bloemhof",       "hillesluis",    "katendrecht",
    "kop-van-zuid",    "noordereiland",  "vreewijk",      "feijenoord",
    "carnisse",        "oud-charlois",   "tarwewijk",     "wielewaal",
    "zuidwijk",        "pendrecht",      "heijplaat",     "bospolder-tussendijken",
    "delfshaven",      "middelland",     "nieuwe-westen", "spangen",
    "oud-mathenesse",  "cool",           "stadsdriehoek", "oude-westen",
    "kralingen-west",  "kralingen-oost", "crooswijk",     "agniesebuurt",
    "liskwartier",     "oude-noorden",   "blijdorp",      "hillegersberg",
    "schiebroek",      "overschie",      "ommoord",       "zevenkamp",
    "lombardijen",     "beverwaard",     "hoogvliet",     "hoek-van-holland"};
constexpr int64_t kMandateMax = 250'000;  // EUR 2,500: the district managers' mandates

enum class Fate { kGranted, kRefused, kWithdrawn, kSetAside, kCompleted };

struct Initiative {
  std::string id, district, round, applicant;
  int64_t amount = 0;
  ipb::Channel channel = ipb::CHANNEL_DIGITAL;
  Fate fate = Fate::kGranted;
  Micros submit_at = 0;
  int64_t granted = 0;
};

struct Action {
  Micros at;
  uint64_t seq;
  std::function<void()> run;
};
struct Later {
  bool operator()(const Action& a, const Action& b) const {
    return a.at != b.at ? a.at > b.at : a.seq > b.seq;
  }
};

class Year {
 public:
  Year(const Options& o, engine::Engine* engine, SimulatedClock* clock, Report* report)
      : o_(o), engine_(engine), clock_(clock), report_(report), rng_(o.seed) {}

  Status Run() {
    PlanInitiatives();
    PlanRoundsAndMandates();
    while (!queue_.empty() && status_.ok()) {
      if (o_.events > 0 && engine_->store().LastPosition() >= o_.events) break;
      Action a = queue_.top();
      queue_.pop();
      if (a.at > clock_->Now()) report_->timers_fired += scenario::AdvanceTo(a.at, engine_, clock_);
      a.run();
    }
    return status_;
  }

 private:
  Micros Jan1() const { return DateMicros(o_.year, 1, 1); }
  Micros Uniform(Micros from, Micros to) {
    return from + static_cast<Micros>(std::uniform_real_distribution<double>(0, 1)(rng_) *
                                      static_cast<double>(to - from));
  }
  Micros Days(int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng_) * kDay +
           std::uniform_int_distribution<int>(8, 17)(rng_) * kDay / 24;
  }
  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  void At(Micros t, std::function<void()> fn) { queue_.push({t, seq_++, std::move(fn)}); }

  engine::CommandResult Do(const std::string& workflow, const std::string& id,
                           const engine::Message& body, const std::string& actor,
                           const std::string& role) {
    engine::CommandRequest r;
    r.workflow = workflow;
    r.instance_id = id;
    r.command = body.GetDescriptor()->name();
    r.body.reset(body.New());
    r.body->CopyFrom(body);
    r.principal = {"simulation", {"admin"}, {"*"}};
    r.actor.set_id(actor);
    r.actor.set_role(role);
    engine::CommandResult res = engine_->Execute(std::move(r));
    ++report_->commands;
    if (res.outcome.kind() == engine::Outcome::Kind::kUnavailable) {
      status_ = Status::StorageError(res.outcome.message());
    } else if (!res.outcome.ok()) {
      ++report_->rejected;
      const std::string& rule = res.outcome.rule();
      ++report_->rejected_by[rule.empty() ? engine::Outcome::KindName(res.outcome.kind()) : rule];
    }
    return res;
  }

  void PlanInitiatives() {
    int n = o_.initiatives;
    if (o_.events > 0) n = static_cast<int>(std::max<uint64_t>(1, o_.events / 10));
    report_->initiatives = n;
    const int districts = std::clamp(o_.districts, 1, static_cast<int>(std::size(kDistricts)));
    for (int i = 0; i < n; ++i) {
      Initiative ini;
      ini.district = kDistricts[std::uniform_int_distribution<int>(0, districts - 1)(rng_)];
      ini.id = "ini-" + std::to_string(o_.year) + "-" + std::to_string(i + 1);
      ini.round = ini.district + "-" + std::to_string(o_.year);
      ini.applicant = "res-" + std::to_string(i + 1);
      const bool large = Chance(0.3);
      ini.amount = large ? 250'000 + static_cast<int64_t>(
                                         std::exponential_distribution<double>(1.0 / 400'000)(rng_))
                         : std::uniform_int_distribution<int64_t>(10'000, 250'000)(rng_);
      ini.amount = std::min<int64_t>(ini.amount, MaxPerRequest(ini.district)) / 1000 * 1000;
      const double c = std::uniform_real_distribution<double>(0, 1)(rng_);
      ini.channel = c < 0.6    ? ipb::CHANNEL_DIGITAL
                    : c < 0.8  ? ipb::CHANNEL_EMAIL
                    : c < 0.92 ? ipb::CHANNEL_PAPER_OPZOOMER_MEE
                               : ipb::CHANNEL_PAPER_DISTRICT_NETWORKER;
      const double f = std::uniform_real_distribution<double>(0, 1)(rng_);
      ini.fate = f < 0.04   ? Fate::kWithdrawn
                 : f < 0.07 ? Fate::kSetAside
                 : f < 0.12 ? Fate::kCompleted
                 : f < 0.17 ? Fate::kRefused
                            : Fate::kGranted;
      ini.submit_at = Uniform(DateMicros(o_.year, 2, 1), DateMicros(o_.year, 11, 1));
      requested_[ini.district] += ini.amount;
      initiatives_.push_back(ini);
    }
    for (size_t i = 0; i < initiatives_.size(); ++i) {
      At(initiatives_[i].submit_at, [this, i] { Submit(initiatives_[i]); });
    }
  }

  int64_t MaxPerRequest(const std::string& district) const {
    return district.size() % 4 == 0 ? 2'000'000 : 1'000'000;  // some districts allow EUR 20,000
  }

  void PlanRoundsAndMandates() {
    const int districts = std::clamp(o_.districts, 1, static_cast<int>(std::size(kDistricts)));
    for (int i = 0; i < districts; ++i) {
      const std::string d = kDistricts[i];
      const std::string round = d + "-" + std::to_string(o_.year);
      rpb::RequestRound req;
      req.set_district(d);
      // Most of what residents ask for fits; the last requests of a busy district may not.
      req.set_ceiling_cents(
          std::max<int64_t>(1'000'000, requested_[d] * 9 / 10 / 100'000 * 100'000));
      req.set_max_per_request_cents(MaxPerRequest(d));
      *req.mutable_period()->mutable_start() = ToTimestamp(DateMicros(o_.year, 2, 1));
      *req.mutable_period()->mutable_end() = ToTimestamp(DateMicros(o_.year + 1, 1, 1));
      req.set_motivation("Bewonersinitiatieven " + std::to_string(o_.year));
      const Micros t = Jan1() + 2 * kDay + i * 60'000'000;
      At(t, [this, round, d, req] {
        Do("subsidy-rounds", round, req, "wr-" + d, "district-council");
      });
      At(t + 7 * kDay, [this, round, req] {
        rpb::SetRound set;
        set.set_district(req.district());
        set.set_ceiling_cents(req.ceiling_cents());
        set.set_max_per_request_cents(req.max_per_request_cents());
        *set.mutable_period() = req.period();
        set.set_distribution(rpb::DISTRIBUTION_FIRST_COME);
        Do("subsidy-rounds", round, set, "college", "executive");
      });
      At(t + 14 * kDay, [this, round] {
        rpb::PublishRound pub;
        pub.set_publication_ref("Gemeenteblad " + std::to_string(o_.year) + ", " + round);
        Do("subsidy-rounds", round, pub, "college", "executive");
      });
      const Micros mandate_at = o_.year == 2023 ? DateMicros(2023, 10, 2) : Jan1() + kDay;
      if (o_.year >= 2023) {
        At(mandate_at + i * 60'000'000, [this, d] {
          mpb::GrantMandate m;
          m.set_district(d);
          m.set_grantee("wm-" + d);
          m.set_max_amount_cents(kMandateMax);
          m.set_decision_ref("Wijkraad " + d + ", mandaatbesluit");
          Do("mandates", d, m, "wr-" + d, "district-council");
        });
      }
    }
  }

  // Who decides at `t` on `amount`: the executive under bi-2022; from 2023-10-01 the district
  // manager under mandate (once granted) for small requests, else the council.
  std::pair<std::string, std::string> Decider(const Initiative& ini, Micros t) const {
    const auto* rules = workflows::initiative::RulesAt(t);
    if (rules != nullptr && rules->voting_rounds) return {"college", "executive"};
    const Micros mandate_at = o_.year == 2023 ? DateMicros(2023, 10, 3) : Jan1() + 2 * kDay;
    if (ini.amount <= kMandateMax && t >= mandate_at) {
      return {"wm-" + ini.district, "district-manager"};
    }
    return {"wr-" + ini.district, "district-council"};
  }

  void Submit(Initiative& ini) {
    ipb::Submit s;
    s.set_district(ini.district);
    s.set_round_id(ini.round);
    s.set_title("Initiatief " + ini.id);
    s.set_requested_cents(ini.amount);
    s.set_channel(ini.channel);
    s.mutable_applicant()->set_id(ini.applicant);
    s.mutable_applicant()->set_name("Bewoner " + ini.applicant);
    s.mutable_applicant()->set_email(ini.applicant + "@example.org");
    const bool paper = ini.channel == ipb::CHANNEL_PAPER_OPZOOMER_MEE ||
                       ini.channel == ipb::CHANNEL_PAPER_DISTRICT_NETWORKER;
    const std::string actor = !paper ? ini.applicant
                              : ini.channel == ipb::CHANNEL_PAPER_OPZOOMER_MEE
                                  ? "opzoomer-mee"
                                  : "wijknetwerker-" + ini.district;
    if (!Do("initiatives", ini.id, s, actor, paper ? "intake" : "applicant").outcome.ok()) return;
    Initiative* p = &ini;
    if (ini.fate == Fate::kSetAside || ini.fate == Fate::kCompleted) {
      At(clock_->Now() + Days(1, 4), [this, p] { RequestCompletion(*p); });
    } else {
      At(clock_->Now() + Days(2, 6), [this, p] { Review(*p); });
    }
  }

  void RequestCompletion(Initiative& ini) {
    ipb::RequestCompletion c;
    c.add_missing("begroting");
    *c.mutable_term_until() = ToTimestamp(clock_->Now() + 14 * kDay);
    if (!Do("initiatives", ini.id, c, "wm-" + ini.district, "district-manager").outcome.ok())
      return;
    if (ini.fate == Fate::kSetAside) return;  // the term's timer sets it aside
    Initiative* p = &ini;
    At(clock_->Now() + Days(3, 10), [this, p] {
      ipb::CompleteRequest c;
      c.set_supplied("begroting");
      if (Do("initiatives", p->id, c, p->applicant, "applicant").outcome.ok()) {
        At(clock_->Now() + Days(1, 4), [this, p] { Review(*p); });
      }
    });
  }

  void Review(Initiative& ini) {
    if (!Do("initiatives", ini.id, ipb::StartReview(), "wm-" + ini.district, "district-manager")
             .outcome.ok()) {
      return;
    }
    Initiative* p = &ini;
    if (ini.fate == Fate::kWithdrawn) {
      At(clock_->Now() + Days(1, 10), [this, p] {
        ipb::Withdraw w;
        w.set_reason("Het initiatief gaat niet door");
        Do("initiatives", p->id, w, p->applicant, "applicant");
      });
      return;
    }
    const auto* rules = workflows::initiative::RulesAt(clock_->Now());
    if (rules != nullptr && rules->voting_rounds &&
        workflows::initiative::IsLarge(*rules, ini.amount)) {
      At(clock_->Now() + Days(2, 5), [this, p] { Vote(*p); });
    } else {
      At(clock_->Now() + Days(7, 28), [this, p] { Decide(*p); });
    }
  }

  void Vote(Initiative& ini) {
    ipb::OpenVote open;
    const Micros closes = clock_->Now() + 21 * kDay;
    *open.mutable_closes_on() = ToTimestamp(closes);
    Initiative* p = &ini;
    if (!Do("initiatives", ini.id, open, "wm-" + ini.district, "district-manager").outcome.ok()) {
      At(clock_->Now() + Days(2, 7), [this, p] { Decide(*p); });  // the voting rounds ended
      return;
    }
    At(closes + kDay / 2, [this, p] {
      ipb::CloseVote close;
      const bool carried = p->fate != Fate::kRefused;
      auto* c = close.mutable_counts();
      const int voters = std::uniform_int_distribution<int>(40, 400)(rng_);
      c->set_online_for(carried ? voters * 7 / 10 : voters / 4);
      c->set_online_against(carried ? voters / 5 : voters * 6 / 10);
      c->set_paper_for(voters / 10);
      c->set_paper_against(voters / 20);
      if (Do("initiatives", p->id, close, "wm-" + p->district, "district-manager").outcome.ok()) {
        At(clock_->Now() + Days(2, 7), [this, p] { Decide(*p); });
      }
    });
  }

  void Decide(Initiative& ini) {
    const auto [who, role] = Decider(ini, clock_->Now());
    Initiative* p = &ini;
    if (ini.fate != Fate::kRefused) {
      ipb::Grant g;
      g.set_amount_cents(ini.amount);
      g.set_reasons("Past binnen de regeling");
      g.add_obligations("Vermeld de gemeente bij de activiteit");
      if (Do("initiatives", ini.id, g, who, role).outcome.ok()) {
        ini.granted = ini.amount;
        At(clock_->Now() + Days(1, 3), [this, p] { Publish(*p); });
        return;
      }
    }
    ipb::Refuse r;
    r.set_reasons(ini.fate == Fate::kRefused ? "Valt buiten de regeling"
                                             : "Het budget van de ronde is op");
    if (!Do("initiatives", ini.id, r, who, role).outcome.ok()) return;
    if (Chance(0.3)) At(clock_->Now() + Days(5, 30), [this, p] { Object(*p); });
  }

  void Object(Initiative& ini) {
    ipb::LodgeObjection l;
    l.set_objector(ini.applicant);
    l.set_grounds("Het initiatief past wel binnen de regeling");
    if (!Do("initiatives", ini.id, l, ini.applicant, "applicant").outcome.ok()) return;
    Initiative* p = &ini;
    At(clock_->Now() + Days(20, 50), [this, p] {
      const auto* rules = workflows::initiative::RulesAt(clock_->Now());
      const bool old = rules != nullptr && rules->voting_rounds;
      ipb::DecideObjection d;
      d.set_outcome(ipb::OBJECTION_OUTCOME_REJECTED);
      d.set_reasons("Het besluit blijft staan");
      Do("initiatives", p->id, d, old ? "college" : "wr-" + p->district,
         old ? "executive" : "district-council");
    });
  }

  void Publish(Initiative& ini) {
    ipb::Publish pub;
    pub.set_url("https://mijn.rotterdam.nl/initiatieven/" + ini.id);
    pub.set_summary("Initiatief " + ini.id);
    if (!Do("initiatives", ini.id, pub, "mijn-rotterdam", "publisher").outcome.ok()) return;
    Initiative* p = &ini;
    At(clock_->Now() + Days(14, 60), [this, p] {
      if (!Do("initiatives", p->id, ipb::StartActivity(), p->applicant, "applicant").outcome.ok()) {
        return;
      }
      At(clock_->Now() + Days(14, 45), [this, p] {
        ipb::SubmitAccounts a;
        a.set_spent_cents(p->granted);
        a.set_report("Activiteit uitgevoerd");
        if (!Do("initiatives", p->id, a, p->applicant, "applicant").outcome.ok()) return;
        At(clock_->Now() + Days(7, 21), [this, p] { Settle(*p); });
      });
    });
  }

  void Settle(Initiative& ini) {
    ipb::Settle s;
    s.set_amount_cents(ini.granted);
    s.set_reasons("Vastgesteld volgens de verantwoording");
    if (Chance(0.1)) {
      s.set_amount_cents(ini.granted * 8 / 10);
      s.set_lowering_reason(ipb::LOWERING_REASON_ACTIVITY_NOT_DONE);
      s.set_reasons("De activiteit is niet geheel uitgevoerd");
    }
    const auto [who, role] = Decider(ini, clock_->Now());
    Do("initiatives", ini.id, s, who, role);
  }

  const Options o_;
  engine::Engine* engine_;
  SimulatedClock* clock_;
  Report* report_;
  std::mt19937_64 rng_;
  std::priority_queue<Action, std::vector<Action>, Later> queue_;
  uint64_t seq_ = 0;
  std::vector<Initiative> initiatives_;
  std::map<std::string, int64_t> requested_;
  Status status_;
};

}  // namespace

Status Simulate(const Options& options, engine::Engine* engine, SimulatedClock* clock,
                Report* report) {
  if (engine->store().LastPosition() != 0) return Status::InvalidArgument("the store is not empty");
  clock->AdvanceTo(DateMicros(options.year, 1, 1));
  Year year(options, engine, clock, report);
  return year.Run();
}

}  // namespace wijkflow::simulation
