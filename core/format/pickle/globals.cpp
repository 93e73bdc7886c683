// SPDX-License-Identifier: MIT
#include "globals.h"

#include <array>
#include <string>

namespace ckpt::pickle {

std::string_view canonicalModule(std::string_view module)
{
    if (module == "__builtin__")
        return "builtins";
    if (module == "copy_reg")
        return "copyreg";
    return module;
}

namespace {
struct Entry
{
    std::string_view module;
    std::string_view name;
    KnownGlobal known;
};

constexpr std::array kTable{
    Entry{"torch._utils", "_rebuild_tensor_v2", KnownGlobal::RebuildTensorV2},
    Entry{"torch._utils", "_rebuild_tensor", KnownGlobal::RebuildTensor},
    Entry{"torch._utils", "_rebuild_parameter", KnownGlobal::RebuildParameter},
    Entry{"torch._utils", "_rebuild_parameter_with_state", KnownGlobal::RebuildParameterWithState},
    Entry{"torch._utils", "_rebuild_qtensor", KnownGlobal::RebuildQTensor},
    Entry{"torch._tensor", "_rebuild_from_type_v2", KnownGlobal::RebuildFromTypeV2},
    Entry{"collections", "OrderedDict", KnownGlobal::OrderedDict},
    Entry{"collections", "defaultdict", KnownGlobal::DefaultDict},
    Entry{"builtins", "set", KnownGlobal::Set},
    Entry{"builtins", "frozenset", KnownGlobal::FrozenSet},
    Entry{"builtins", "complex", KnownGlobal::Complex},
    Entry{"builtins", "bytearray", KnownGlobal::ByteArray},
    Entry{"builtins", "bytes", KnownGlobal::Bytes},
    Entry{"_codecs", "encode", KnownGlobal::CodecsEncode},
    Entry{"copyreg", "_reconstructor", KnownGlobal::Reconstructor},
    Entry{"copyreg", "__newobj__", KnownGlobal::NewObjFunc},
    Entry{"torch", "device", KnownGlobal::TorchDevice},
    Entry{"torch", "Size", KnownGlobal::TorchSize},
    Entry{"torch", "Tensor", KnownGlobal::TorchTensorClass},
    Entry{"torch._tensor", "Tensor", KnownGlobal::TorchTensorClass},
    Entry{"torch.nn.parameter", "Parameter", KnownGlobal::TorchParameterClass},
    Entry{"torch.autograd.variable", "Variable", KnownGlobal::TorchVariableClass},
    Entry{"torch.autograd", "Variable", KnownGlobal::TorchVariableClass},
    Entry{"torch", "UntypedStorage", KnownGlobal::StorageClass},
    Entry{"torch.storage", "UntypedStorage", KnownGlobal::StorageClass},
    Entry{"numpy.core.multiarray", "_reconstruct", KnownGlobal::NumpyReconstruct},
    Entry{"numpy._core.multiarray", "_reconstruct", KnownGlobal::NumpyReconstruct},
    Entry{"numpy.core.multiarray", "scalar", KnownGlobal::NumpyScalar},
    Entry{"numpy._core.multiarray", "scalar", KnownGlobal::NumpyScalar},
    Entry{"numpy", "dtype", KnownGlobal::NumpyDtype},
};
} // namespace

GlobalMeaning lookupGlobal(std::string_view module, std::string_view name)
{
    module = canonicalModule(module);
    for (const auto &e : kTable)
        if (e.module == module && e.name == name)
            return {e.known, DType::UInt8};
    if ((module == "torch" || module == "torch.cuda") && name.ends_with("Storage")) {
        if (auto dt = dtypeFromStorageClass(name))
            return {KnownGlobal::StorageClass, *dt};
    }
    if ((module == "torch" || module == "torch.cuda") && name.ends_with("Tensor") && name.size() > 6) {
        // PyTorch 0.1/0.2 pickled a tensor as torch.FloatTensor() followed by BUILD (storage, offset, size, stride).
        const std::string storage = std::string(name.substr(0, name.size() - 6)) + "Storage";
        if (auto dt = dtypeFromStorageClass(storage))
            return {KnownGlobal::LegacyTensorType, *dt};
    }
    if (module == "torch") {
        // dtypes pickle as globals: torch.float32, torch.bfloat16, and the aliases torch.half ...
        static constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kAliases{{
            {"float", "float32"},
            {"double", "float64"},
            {"half", "float16"},
            {"long", "int64"},
            {"int", "int32"},
            {"short", "int16"},
            {"cfloat", "complex64"},
            {"cdouble", "complex128"},
            {"chalf", "complex32"},
            {"uint8", "uint8"},
            {"bool", "bool"},
            {"int8", "int8"},
        }};
        if (dtypeFromName(name))
            return {KnownGlobal::TorchDtype, *dtypeFromName(name)};
        for (const auto &[alias, canonical] : kAliases)
            if (alias == name)
                return {KnownGlobal::TorchDtype, *dtypeFromName(canonical)};
    }
    return {};
}

} // namespace ckpt::pickle
