// StoreMaintenance: what the event store offers, beside its main interface (events/event_store.h),
// to the code that works on a store as a whole: the projection runner (which reads the log as
// raw records and bulk-loads a rebuild's models), benchmarks and tools. Workflows, the engine's
// command path and the adapters have no use for it.
//
// Got from the store (EventStore::Maintenance()); it lives as long as the store, and is safe to
// use from several threads as the store is.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/event_store.h"
#include "events/status.h"

namespace wijkflow {

// Receives puts and deletes in key order, keys strictly increasing.
class SortedWrites {
 public:
  virtual ~SortedWrites() = default;
  virtual void Put(std::string_view key, std::string_view value) = 0;
  virtual void Delete(std::string_view key) = 0;
};

// A table file being written (StoreMaintenance::NewTable). The first write that fails (an empty
// key, one out of order) is kept, and returned by Finish; the writes after it are ignored.
// Destroyed unfinished, it leaves no file.
class TableWriter : public SortedWrites {
 public:
  // Completes the file and gives its path, for IngestTables; an empty path if nothing was
  // written, and then no file is left.
  virtual Status Finish(std::string* path) = 0;
};

class StoreMaintenance {
 public:
  virtual ~StoreMaintenance() = default;

  // EventStore::ScanAll without the parsing: each event's record as stored, valid during the
  // call, for ParseRecord (events/format.h). A reader can then parse on other threads than the
  // scan's. As for ScanAll, `fn` must not wait for an append.
  virtual Status ScanRecords(
      uint64_t from_position,
      const std::function<bool(uint64_t position, std::string_view record)>& fn) const = 0;

  // Bulk loading of side spaces, for a rebuild's models. NewTable starts a table file of puts and
  // deletes of one space, written in key order; several may be written at once, from different
  // threads (each holds off a reopen of the database until it is finished or destroyed).
  // IngestTables then adds finished tables to the store in one atomic step (all or none, across a
  // crash too) and removes their files; tables of one space must not overlap. Cheaper than
  // EventStore::Write for many keys: no memtable, no log, no flush. A store open read-only
  // refuses both with InvalidArgument.
  virtual Status NewTable(Space space, std::unique_ptr<TableWriter>* table) = 0;
  // A table of `writes` (puts and deletes of `space`, keys strictly increasing), finished.
  Status WriteTable(Space space, const std::vector<SideWrite>& writes, std::string* path);
  virtual Status IngestTables(const std::vector<std::pair<Space, std::string>>& tables) = 0;

  // Returns once no flush or compaction is running or due, so that what follows (a measurement,
  // say) has the machine to itself: a rebuild's tables, say, are compacted after their ingestion.
  virtual Status WaitForBackgroundWork() const = 0;
};

}  // namespace wijkflow
