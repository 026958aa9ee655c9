// The architecture a checkpoint was trained with, recorded beside its weights.
//
// A run is rebuilt from its spec and preset (restore_run, --resume, --from), and only then are the weights loaded
// by name. A preset whose architecture changed without changing any parameter's shape (a frozen table,
// a group count of GroupNorm, a mask order) would load old weights into a different network without a word. So the
// model's module tree, as operator<< prints it, is stored in the metadata ("architecture") and compared with the
// rebuilt model's before the weights are loaded. Checkpoints written before this record existed carry none and
// are loaded as they are. So every module's extra_repr is part of the checkpoint format: a change to what one
// prints, even a cosmetic one, makes the runs trained before it refuse to load (the message says which line).
#pragma once
#include <map>
#include <string>

#include "nn/module.h"

namespace dgm::models::train {

// The module tree as printed by operator<< (one module a line).
std::string architecture_of(const nn::Module& model);

// Throws dgm::Error naming `who`, the checkpoint and the first line that differs when the checkpoint's metadata
// records an architecture other than the model's; does nothing when it records none.
void check_architecture(const std::string& who, const std::string& checkpoint,
                        const std::map<std::string, std::string>& metadata, const nn::Module& model);

}  // namespace dgm::models::train
