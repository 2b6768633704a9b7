// Verification of a store on disk: both hash chains, the stream index and the heads.
#pragma once

#include "events/event_store.h"

namespace wijkflow {

class Storage;

// Walks the whole log in position order and checks, for every record: positions are gap-free, the
// record parses, its stream's versions are contiguous, both hash chains hold, and the stream index
// points at it. Then checks that the stream index and the heads hold nothing else and that every
// head is its stream's last event. Stops at the first broken link and names it.
VerifyReport VerifyStore(const Storage& storage);

}  // namespace wijkflow
