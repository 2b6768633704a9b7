// SortByKey: sorts items by a string key, for the runner's drains (a rebuild's commit sorts every
// key of every model: a million keys, scattered over the heap). Internal to the engine.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wijkflow::engine {

template <class T>
struct Keyed {
  std::string_view key;
  int rank = 0;       // orders items with equal keys
  T* item = nullptr;  // what is sorted
  uint64_t word = 0;  // scratch: 8 bytes of the key, big-endian
};

namespace internal {

// The 8 bytes of `key` from `at`, big-endian, zeros past its end.
inline uint64_t Word(std::string_view key, size_t at) {
  uint64_t w = 0;
  for (size_t i = 0; i < 8; ++i) {
    const size_t k = at + i;
    w = (w << 8) | (k < key.size() ? static_cast<unsigned char>(key[k]) : 0u);
  }
  return w;
}

}  // namespace internal

// Sorts [first, last) by key, then rank. Compares 8 bytes at a time, past the prefix the keys
// share, held in the array itself: most comparisons then read no key's memory, where a plain
// sort reads two keys' (two cache misses) in each of its n log n comparisons. Keys that agree
// in those 8 bytes are sorted again from the next ones; each key is read a few times in all.
template <class T>
void SortByKey(Keyed<T>* first, Keyed<T>* last) {
  if (last - first < 2) return;
  size_t shared = first->key.size();
  for (Keyed<T>* k = first + 1; k != last && shared > 0; ++k) {
    const size_t n = std::min(shared, k->key.size());
    size_t i = 0;
    while (i < n && k->key[i] == first->key[i]) ++i;
    shared = i;
  }
  bool short_key = false;  // one ends within the 8 bytes compared
  for (Keyed<T>* k = first; k != last; ++k) {
    k->word = internal::Word(k->key, shared);
    short_key = short_key || k->key.size() < shared + 8;
  }
  if (short_key) {
    // Zeros stand for the bytes past a short key's end, which a byte of zero would tie with:
    // the keys themselves settle what the words do not.
    std::sort(first, last, [](const Keyed<T>& a, const Keyed<T>& b) {
      if (a.word != b.word) return a.word < b.word;
      if (a.key != b.key) return a.key < b.key;
      return a.rank < b.rank;
    });
    return;
  }
  std::sort(first, last, [](const Keyed<T>& a, const Keyed<T>& b) { return a.word < b.word; });
  // Runs of equal words share their first shared + 8 bytes: sorted on from there.
  for (Keyed<T>* run = first; run != last;) {
    Keyed<T>* end = run + 1;
    while (end != last && end->word == run->word) ++end;
    if (end - run > 1) SortByKey(run, end);
    run = end;
  }
}

}  // namespace wijkflow::engine
