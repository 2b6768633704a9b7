#include "workflows/subsidy_round/round_budget.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <tuple>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "events/sha256.h"
#include "workflows/common/time.h"

namespace wijkflow::workflows::subsidy_round {
namespace {

namespace pb = ::wijkflow::round;

// The Amsterdam calendar day of `t`, as days since the epoch, from the system's tz database.
int64_t AmsterdamDay(Micros t) {
  static const absl::TimeZone zone = [] {
    absl::TimeZone z;
    if (!absl::LoadTimeZone("Europe/Amsterdam", &z)) std::abort();  // tzdata is a dependency
    return z;
  }();
  return absl::ToCivilDay(absl::FromUnixMicros(t), zone) - absl::CivilDay(1970, 1, 1);
}

// A request's key in the order of receipt.
struct OrderKey {
  int64_t day = 0;
  std::string lot;  // SAME_DAY_RANK_LOT; else empty, and the moment of receipt ranks
  Micros at = 0;
  std::string id;

  OrderKey(pb::SameDayRank rank, const std::string& seed, const std::string& initiative_id,
           Micros received_at)
      : day(AmsterdamDay(received_at)), at(received_at), id(initiative_id) {
    if (rank == pb::SAME_DAY_RANK_LOT) lot = std::string(AsBytes(Sha256().Hash(seed + "/" + id)));
  }
  bool operator<(const OrderKey& o) const {
    return std::tie(day, lot, at, id) < std::tie(o.day, o.lot, o.at, o.id);
  }
};

OrderKey KeyOf(const pb::RoundData& round, const std::string& id, Micros received_at) {
  return OrderKey(round.same_day_rank(), round.lot_seed(), id, received_at);
}

}  // namespace

int64_t CeilingAt(const Ceilings& ceilings, Micros t) {
  if (ceilings.empty()) return 0;
  int64_t ceiling = ceilings[0].ceiling_cents();
  for (const auto& c : ceilings) {
    if (ToMicros(c.from()) <= t) ceiling = c.ceiling_cents();
  }
  return ceiling;
}

int64_t CeilingFor(const Ceilings& ceilings, Micros received_at) {
  int64_t ceiling = CeilingAt(ceilings, received_at);
  for (const auto& c : ceilings) {
    if (ToMicros(c.from()) > received_at) ceiling = std::max(ceiling, c.ceiling_cents());
  }
  return ceiling;
}

void RankWaiting(const Terms& terms, Places* waiting) {
  std::vector<std::pair<OrderKey, pb::PlaceInOrder*>> keyed;
  keyed.reserve(waiting->size());
  for (pb::PlaceInOrder& p : *waiting) {
    keyed.emplace_back(
        OrderKey(terms.same_day_rank, terms.lot_seed, p.initiative_id(), ToMicros(p.received_at())),
        &p);
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Places ranked;
  int64_t taken = terms.granted_cents;
  for (auto& [key, p] : keyed) {
    const int64_t left = std::max<int64_t>(0, CeilingFor(terms.ceilings, key.at) - taken);
    const int64_t available = std::min(left, p->amount_cents());
    taken += available;
    p->set_available_cents(available);
    p->set_standing(available == p->amount_cents() ? pb::PlaceInOrder::STANDING_FITS
                    : available > 0                ? pb::PlaceInOrder::STANDING_PARTLY_FITS
                                                   : pb::PlaceInOrder::STANDING_DOES_NOT_FIT);
    p->set_place(ranked.size() + 1);
    ranked.Add(std::move(*p));
  }
  waiting->Swap(&ranked);
}

Places WaitingInOrder(const pb::RoundData& round) {
  Places waiting;
  for (const auto& [id, c] : round.claims()) {
    pb::PlaceInOrder* p = waiting.Add();
    p->set_initiative_id(id);
    p->set_amount_cents(c.amount_cents());
    *p->mutable_received_at() = c.received_at();
  }
  RankWaiting({round.ceilings(), round.same_day_rank(), round.lot_seed(), round.reserved_cents()},
              &waiting);
  return waiting;
}

std::unique_ptr<pb::PlaceInOrder> PlaceOf(const pb::RoundData& round,
                                          std::string_view initiative_id) {
  for (const pb::PlaceInOrder& p : WaitingInOrder(round)) {
    if (p.initiative_id() != initiative_id) continue;
    auto place = std::make_unique<pb::PlaceInOrder>(p);
    // Its place in the whole order: the grants received before it count too.
    const OrderKey key = KeyOf(round, p.initiative_id(), ToMicros(p.received_at()));
    int32_t granted_before = 0;
    for (const auto& [id, a] : round.allocations()) {
      if (a.reserved_cents() > 0 && KeyOf(round, id, ToMicros(a.received_at())) < key) {
        ++granted_before;
      }
    }
    place->set_place(p.place() + granted_before);
    return place;
  }
  return nullptr;
}

int64_t RemainingFor(const pb::RoundData& round, Micros received_at) {
  int64_t taken = round.reserved_cents();
  for (const pb::PlaceInOrder& p : WaitingInOrder(round)) taken += p.available_cents();
  return std::max<int64_t>(0, CeilingFor(round.ceilings(), received_at) - taken);
}

int64_t OutstandingCents(const pb::RoundData& round) {
  int64_t outstanding = 0;
  for (const auto& [id, a] : round.allocations()) {
    if (!a.settled()) outstanding += a.reserved_cents();
  }
  return outstanding;
}

}  // namespace wijkflow::workflows::subsidy_round
