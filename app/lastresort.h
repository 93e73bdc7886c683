// SPDX-License-Identifier: MIT
// The last resort of main() in both programs. An exception that nothing can catch where it is thrown (one that
// leaves a worker thread, or a std::bad_alloc from LibTorch's start-up inside dlopen) would abort the process;
// instead the program ends with exit status 2 and one line, "<program>: FILE: out of memory".
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>

namespace lastresort {

inline const char *g_program = "";
inline char g_subject[2048] = {}; // the file being worked on, when known

// Names the file the program works on, for the message.
inline void setSubject(const std::string &file)
{
    std::strncpy(g_subject, file.c_str(), sizeof g_subject - 1);
}

[[noreturn]] inline void onTerminate()
{
    const char *cause = nullptr;
    if (const std::exception_ptr p = std::current_exception()) {
        try {
            std::rethrow_exception(p);
        } catch (const std::bad_alloc &) {
            cause = "out of memory";
        } catch (const std::exception &e) {
            cause = e.what();
        } catch (...) {
            cause = "unexpected error";
        }
    }
    std::fflush(stdout);
    std::fprintf(stderr, "%s: %s%s", g_program, g_subject, *g_subject ? ": " : "");
    for (const char *c = cause ? cause : "internal error (std::terminate)"; *c; ++c)
        std::fputc(*c == '\n' ? ' ' : *c, stderr); // one line
    std::fputc('\n', stderr);
    if (!cause)
        std::abort(); // not an exception: a bug, which keeps its core dump
    std::_Exit(2);
}

inline void install(const char *program)
{
    g_program = program;
    std::set_terminate(onTerminate);
}

} // namespace lastresort
