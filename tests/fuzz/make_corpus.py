#!/usr/bin/env python3
"""Writes the seed corpus of the libFuzzer targets: tests/fuzz/corpus/<target>/,
a few small valid files and edge cases each (standard library only).

    python3 tests/fuzz/make_corpus.py      # rewrites tests/fuzz/corpus
"""
import gzip
import json
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, mtime=0)


def safetensors(header, data=b""):
    text = header if isinstance(header, str) else json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + data


def idx(dims, values):
    return bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(values)


def corpus_safetensors():
    t = "safetensors"
    write(t, "f32", safetensors({"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}},
                                struct.pack("<2f", 1.5, -2.0)))
    write(t, "mixed", safetensors({"__metadata__": {"model": "vae", "settings": "{\"epochs\":3}"},
                                   "a": {"dtype": "I64", "shape": [1], "data_offsets": [0, 8]},
                                   "b": {"dtype": "F64", "shape": [], "data_offsets": [8, 16]},
                                   "c": {"dtype": "BOOL", "shape": [2, 1], "data_offsets": [16, 18]}},
                                  struct.pack("<qd", 7, 0.25) + b"\x01\x02"))
    write(t, "empty_tensor", safetensors({"e": {"dtype": "F32", "shape": [0, 3], "data_offsets": [0, 0]}}))
    write(t, "empty_header", safetensors({}))
    write(t, "zero_times_huge", safetensors(
        {"z": {"dtype": "F32", "shape": [0, 1 << 40, 1 << 40], "data_offsets": [0, 0]}}))
    write(t, "overflowing_number", safetensors('{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,1e999]}}'))
    write(t, "deep", safetensors("[" * 64 + "]" * 64))


def corpus_idx():
    t = "idx"
    write(t, "images", idx([3, 2, 2], range(12)))
    write(t, "labels_gz", gz(idx([5], [0, 1, 2, 3, 4])))
    write(t, "empty", idx([0, 28, 28], []))
    write(t, "zero_times_huge", idx([0, 0xFFFFFFFF, 0xFFFFFFFF], []))
    write(t, "truncated", idx([2, 3], range(4)))
    write(t, "two_members_gz", gz(idx([2], [1, 2])[:5]) + gz(idx([2], [1, 2])[5:]))
    write(t, "small_bomb_gz", gz(bytes(1 << 20)))


def corpus_cifar():
    t = "cifar"
    record = bytes([3]) + bytes((i * 7) % 256 for i in range(3072))
    write(t, "one_record", record)
    write(t, "two_records_gz", gz(record + bytes([9]) + bytes(3072)))
    write(t, "bad_label", bytes([42]) + bytes(3072))
    write(t, "short", record[:100])


def corpus_run_metadata():
    t = "run_metadata"
    schedule = {"kind": "cosine", "unit": "epoch", "step_size": 1, "gamma": 0.1, "t_max": 0, "eta_min": 0,
                "warmup": 0}
    settings = {"epochs": 10, "batch_size": 128, "optimizers": {"": {
        "kind": "adam", "lr": 1e-3, "betas": [0.9, 0.999], "weight_decay": 0, "momentum": 0,
        "clip_grad_norm": 1.0, "schedule": schedule}}, "ema_decay": 0.999, "loss_key": "loss", "limit": 0,
        "test_limit": 0, "samples": 64}
    write(t, "settings", json.dumps(settings))
    write(t, "config", json.dumps({"model": "vae", "preset": "quick", "dataset": "mnist", "seed": 1,
                                   "train_examples": 60000, "test_examples": 10000}))
    write(t, "epochs_as_string", '{"epochs": "5"}')
    write(t, "huge_numbers", '{"epochs": 99999999999999999999999, "seed": -1, "lr": 1e999}')
    write(t, "deep", "[" * 40 + "]" * 40)


def corpus_metrics():
    t = "metrics"
    write(t, "epochs", '{"epoch":1,"split":"train","loss":0.5}\n{"epoch":1,"split":"test","loss":null}\n')
    write(t, "nested_and_unterminated", '{"a":[1,{"b":2}],"ok":true}\n\n{"epoch":2,"loss":0.4')
    write(t, "big_integer", '{"step":18446744073709551615,"x":-9223372036854775808}\n')
    write(t, "overflow", '{"loss":1e999}\n')
    write(t, "not_object", "[1,2]\n")


def corpus_cli_options():
    t = "cli_options"
    write(t, "lr", "--lr\n2e-4")
    write(t, "named", "--lr\ncritic=1e-4\n--betas\n0.5,0.9\n--schedule\ncosine\n--warmup\n5")
    write(t, "labels_range", "0..9")
    write(t, "labels_list", "1,3,5")
    write(t, "huge_int", "--step-size\n99999999999999999999")
    write(t, "twice", "--lr\n1\n--lr\n2")


if __name__ == "__main__":
    shutil.rmtree(CORPUS, ignore_errors=True)
    corpus_safetensors()
    corpus_idx()
    corpus_cifar()
    corpus_run_metadata()
    corpus_metrics()
    corpus_cli_options()
