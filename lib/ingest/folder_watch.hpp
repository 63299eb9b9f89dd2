// inotify on the inbox folder, as a file descriptor an event loop can wait
// on. A new file (IN_CLOSE_WRITE, IN_MOVED_TO) or an overflowing event queue
// counts as an arrival; dot-files, *.part and *.tmp do not. The names of
// those events are handed out too: the writer is done with them, so the
// inbox may take them at once (inbox::note_complete). When the folder
// goes away the watch is dropped and arm() sets it up again once the folder
// is back. Without inotify (or when the folder cannot be watched) fd() is -1
// or stays quiet, and the caller's periodic scan still finds every file.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace shd::ingest {

class folder_watch {
  public:
    explicit folder_watch(std::filesystem::path dir);
    ~folder_watch();
    folder_watch(const folder_watch&) = delete;
    folder_watch& operator=(const folder_watch&) = delete;

    // Non-blocking; -1 when inotify is unavailable.
    int fd() const { return fd_; }

    // Whether events arrive: inotify works and the folder is watched.
    bool active() const { return fd_ >= 0 && watching_; }

    // Adds the watch if it is not in place (cheap when it is).
    void arm();

    // Reads every pending event without blocking; true when one may be a new
    // file. The names closed after writing or renamed in are appended to
    // `complete` when given (an overflow names none: the scans' settle rule
    // covers what was missed).
    bool drain(std::vector<std::string>* complete = nullptr);

  private:
    std::filesystem::path dir_;
    int fd_ = -1;
    bool watching_ = false;
    bool warned_ = false;
};

}  // namespace shd::ingest
