// SPDX-License-Identifier: MIT
#include "tensormath.h"

#include "format/error.h"

#include <dlfcn.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include <cstdlib>
#include <mutex>
#include <vector>

namespace ckpt {

TensorView TensorView::of(const pickle::TensorValue &t)
{
    TensorView v;
    v.dtype = t.dtype;
    v.shape = t.shape;
    v.stride = t.stride;
    // Tensors without elements may carry any offset (PyTorch allows it); nothing is read through base.
    v.base = t.numel() == 0 ? t.storage->bytes.data() : t.storage->data().data() + t.storageOffset * static_cast<std::int64_t>(dtypeItemSize(t.dtype));
    v.storageElements = t.numel() == 0 ? 0 : t.storage->numel - static_cast<std::uint64_t>(t.storageOffset);
    return v;
}

namespace {

std::string directoryOfThisBinary()
{
    Dl_info info{};
    if (dladdr(reinterpret_cast<void *>(&directoryOfThisBinary), &info) && info.dli_fname) {
        std::string path = info.dli_fname;
        const auto slash = path.rfind('/');
        if (slash != std::string::npos)
            return path.substr(0, slash);
    }
    return ".";
}

// LibTorch's static initializers allocate while dlopen() runs them, and a std::bad_alloc there cannot unwind
// through the dynamic loader: the process aborts. Under an address-space limit (ulimit -v), check first that
// there is room. LibTorch 1.13 maps about 470 MiB and allocates more while it starts.
void checkRoomForLibTorch()
{
    constexpr std::size_t kRoom = std::size_t(640) << 20;
    struct rlimit limit
    { };
    if (::getrlimit(RLIMIT_AS, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return;
    void *probe = ::mmap(nullptr, kRoom, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (probe == MAP_FAILED)
        fail(ErrorKind::Io,
            "out of memory: loading LibTorch needs about 640 MiB more address space than the limit "
            "(ulimit -v) leaves");
    ::munmap(probe, kRoom);
}

const TensorMath &load()
{
    checkRoomForLibTorch();
    std::vector<std::string> candidates;
    if (const char *env = std::getenv("CKPT_TENSOR_PLUGIN"); env && *env)
        candidates.emplace_back(env);
    const std::string dir = directoryOfThisBinary();
    candidates.push_back(dir + "/../lib/checkpoint-studio/libckpt_tensor.so");
    candidates.push_back(dir + "/libckpt_tensor.so");
    std::string errors;
    for (const auto &path : candidates) {
        void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            errors += "\n  " + std::string(dlerror());
            continue;
        }
        auto *create = reinterpret_cast<TensorMath *(*)()>(dlsym(handle, "ckpt_create_tensor_math"));
        if (!create) {
            errors += "\n  " + path + ": no ckpt_create_tensor_math";
            continue;
        }
        return *create(); // lives for the rest of the process, like the library
    }
    fail(ErrorKind::Unsupported, "the LibTorch plugin (libckpt_tensor.so) could not be loaded:" + errors);
}

} // namespace

const TensorMath &tensorMath()
{
    static std::once_flag once;
    static const TensorMath *instance = nullptr;
    static std::string error;
    std::call_once(once, [] {
        try {
            instance = &load();
        } catch (const Error &e) {
            error = e.detail();
        }
    });
    if (!instance)
        fail(ErrorKind::Unsupported, error);
    return *instance;
}

} // namespace ckpt
