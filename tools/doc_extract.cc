// doc_extract DOC OUT_DIR: writes every fenced code block of a Markdown file whose first line is
// "// file: NAME" (or "# file: NAME") to OUT_DIR/NAME, so that the code a document shows is the
// code CI compiles and tests. NAME may name folders (they are made); blocks with the same NAME
// are concatenated in order.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: doc_extract DOC OUT_DIR\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::cerr << "doc_extract: cannot read " << argv[1] << "\n";
    return 1;
  }
  std::map<std::string, std::string> files;
  std::string line, name;
  bool in_block = false, first = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      in_block = !in_block;
      first = in_block;
      name.clear();
      continue;
    }
    if (!in_block) continue;
    if (first) {
      first = false;
      for (const std::string tag : {"// file: ", "# file: "}) {
        if (line.rfind(tag, 0) == 0) name = line.substr(tag.size());
      }
      continue;
    }
    if (!name.empty()) files[name] += line + "\n";
  }
  std::filesystem::create_directories(argv[2]);
  for (const auto& [file, text] : files) {
    const auto path = std::filesystem::path(argv[2]) / file;
    std::filesystem::create_directories(path.parent_path());
    std::ifstream old(path);
    std::string current((std::istreambuf_iterator<char>(old)), std::istreambuf_iterator<char>());
    if (current != text) std::ofstream(path) << text;  // untouched files keep their timestamps
  }
  return 0;
}
