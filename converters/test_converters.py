#!/usr/bin/python3
"""Self-tests for the converters (run: /usr/bin/python3 converters/test_converters.py).

Covers: probe.py against node's Math.imul arithmetic, the recipe rules, the
safetensors writer's layout, the exporter on every checkpoint kind
make_checkpoints.py writes (legacy / zip / GPU-tagged pickles, state_dicts,
wrapped, fp16 / bf16 / fp64), its refusals (exit code 2, one line), and that
a hostile pickle runs nothing.
"""

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import pinned_cpu  # noqa: F401  (first: pins torch's CPU kernels)
import numpy as np
import torch

import export
import make_checkpoints
import probe
import reference_models as rm
import safetensors_io as st
import tinycnn_file

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_PROBE = """
function probeValues(seed, count) {
  const out = new Float32Array(count); let state = seed | 0;
  for (let i = 0; i < count; i++) {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    const u = (t ^ (t >>> 14)) >>> 0;
    out[i] = (u >>> 8) / 8388608 - 1;
  } return out; }
for (const s of JSON.parse(process.argv[1]))
  console.log(Buffer.from(probeValues(s, 4096).buffer).toString('hex'));
"""


def run_export(*argv):
    """export.main in-process -> (exit code, stderr text)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = export.main([str(a) for a in argv])
    return code, err.getvalue()


class ProbeTest(unittest.TestCase):
    @unittest.skipIf(shutil.which("node") is None, "node not installed")
    def test_bit_exact_with_node(self):
        seeds = [0, 1, -1, 11, 20240601, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 5, -123456789]
        out = subprocess.run(["node", "-e", NODE_PROBE, json.dumps(seeds)], check=True,
                             capture_output=True, text=True).stdout.split()
        for seed, hexed in zip(seeds, out):
            self.assertEqual(probe.probe_values(seed, 4096).astype("<f4").tobytes().hex(),
                             hexed, f"seed {seed}")

    def test_vectorised_matches_scalar(self):
        for seed in (3, 77, -5):
            a, b = probe.probe_values(seed, 500), probe.probe_values_slow(seed, 500)
            self.assertTrue(np.array_equal(a.view(np.uint32), b.view(np.uint32)))

    def test_recipe_rules(self):
        r = probe.recipe(11, 4, 2, 3, scale=256, zero_rows=[1], negative_rows=[0, 3])
        x = probe.make_input(r)
        raw = probe.probe_values(11, 24).reshape(2, 4, 3) * 256
        self.assertEqual(x.shape, (2, 4, 3))
        self.assertTrue(np.array_equal(x[:, 2], raw[:, 2]))
        self.assertTrue(np.all(x[:, 1] == 0) and not np.any(np.signbit(x[:, 1])))
        self.assertTrue(np.array_equal(x[:, [0, 3]], -np.abs(raw[:, [0, 3]])))
        for bad in (dict(zero_rows=[1], negative_rows=[1]), dict(zero_rows=[4]), dict(scale=3)):
            with self.assertRaises(ValueError):
                probe.make_input({**r, **bad})
        ext = probe.make_ext({"seed": 5, "scale": 4})
        self.assertTrue(np.array_equal(ext, probe.probe_values(5, 4) * 4))


class SafetensorsTest(unittest.TestCase):
    def test_layout_and_round_trip(self):
        tensors = {"b": np.arange(5, dtype=np.float32), "a": np.ones((2, 3), np.float32)}
        data = st.write_safetensors(tensors, {"k": "v"})
        n = int.from_bytes(data[:8], "little")
        self.assertEqual((8 + n) % 8, 0)
        header = json.loads(data[8:8 + n])
        self.assertEqual(list(header), ["__metadata__", "a", "b"])  # sorted names
        self.assertEqual(header["a"]["data_offsets"], [0, 24])
        back, meta = st.read_safetensors(data)
        self.assertEqual(meta, {"k": "v"})
        self.assertTrue(np.array_equal(back["b"], tensors["b"]))
        with self.assertRaises(st.SafetensorsError):
            st.read_safetensors(data[:-4])


class CheckpointTest(unittest.TestCase):
    """Every checkpoint kind from make_checkpoints.py goes through the exporter."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="tinycnn-ckpt-")
        with contextlib.redirect_stderr(io.StringIO()):
            cls.cases = make_checkpoints.make_checkpoints(cls.tmp)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def _export(self, name, *extra):
        out = os.path.join(self.tmp, name + ".safetensors")
        code, err = run_export(os.path.join(self.tmp, name), out, *extra)
        self.assertEqual(code, 0, err)
        return out, err

    def test_every_checkpoint_converts_and_matches_pytorch(self):
        weights = {}
        for case in self.cases:
            out, err = self._export(case["file"])
            model, arch, config, meta = tinycnn_file.load_module(out)
            self.assertEqual((arch, config), (case["architecture"], case["config"]), case["file"])
            if arch == "KimCNN":
                self.assertIn("dropped legacy embedding tables", err)
            arrays = {k: probe.make_ext(r) if k == "ext" else probe.make_input(r)
                      for k, r in case["input"].items()}
            got = make_checkpoints.run(model, arrays, torch.float32)
            np.testing.assert_allclose(got, case["logits"], rtol=1e-5, atol=1e-5)
            # all forms of one model give the same tensors
            _, _, tensors, _ = tinycnn_file.read_tinycnn(out)
            key = case["file"].split(".")[0]
            flat = b"".join(tensors[k].tobytes() for k in sorted(tensors))
            self.assertEqual(weights.setdefault(key, flat), flat, case["file"])
            cert = json.loads(meta["tinycnn.probe"])
            self.assertEqual(cert["generator"], "mulberry32")

    def test_gpu_pickle_needs_map_location(self):
        path = os.path.join(self.tmp, "kim-static.gpu.pt")
        with self.assertRaisesRegex(RuntimeError, "CUDA"):
            torch.load(path)  # no map_location: torch tries to restore on 'cuda:0'
        self.assertEqual(run_export(path, path + ".safetensors")[0], 0)

    def test_labels_and_tokenizer_options(self):
        out, _ = self._export("sm.zip.pt", "--labels", "wrong,right", "--tokenizer",
                              "clean_str_sst")
        _, _, _, meta = tinycnn_file.read_tinycnn(out)
        self.assertEqual(json.loads(meta["tinycnn.labels"]), ["wrong", "right"])
        self.assertEqual(meta["tinycnn.tokenizer"], "clean_str_sst")
        code, err = run_export(os.path.join(self.tmp, "sm.zip.pt"), out, "--labels", "a,b,c")
        self.assertEqual(code, 2)
        self.assertIn("2 non-empty names", err)

    def test_other_dtypes_and_safetensors_input(self):
        sd = torch.load(os.path.join(self.tmp, "sm-ext.state_dict.pt"))
        ref, _ = self._export("sm-ext.state_dict.pt")
        _, _, want, _ = tinycnn_file.read_tinycnn(ref)
        for dtype in (torch.float64, torch.float16):
            path = os.path.join(self.tmp, f"sm-ext.{dtype}.pt")
            torch.save({k: v.to(dtype) for k, v in sd.items()}, path)
            out, _ = self._export(os.path.basename(path))
            _, _, got, _ = tinycnn_file.read_tinycnn(out)
            for k in want:
                self.assertEqual(got[k].dtype, np.float32)
                np.testing.assert_allclose(got[k], want[k], atol=1e-3 if dtype == torch.float16 else 0)
        path = os.path.join(self.tmp, "sm-ext.input.safetensors")
        shutil.copy(ref, path)  # a state_dict .safetensors (here: the tinycnn file itself)
        out, _ = self._export("sm-ext.input.safetensors")
        self.assertEqual(tinycnn_file.read_tinycnn(out)[2].keys(), want.keys())


class RefusalTest(unittest.TestCase):
    """Bad inputs: exit code 2 and one clear line."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tinycnn-bad-")
        self.out = os.path.join(self.tmp, "out.safetensors")

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def expect_refusal(self, path, pattern):
        code, err = run_export(path, self.out)
        self.assertEqual(code, 2, err)
        lines = [ln for ln in err.splitlines() if "error:" in ln]
        self.assertEqual(len(lines), 1, err)
        self.assertRegex(lines[0], pattern)
        self.assertFalse(os.path.exists(self.out))

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_unreadable_files(self):
        self.expect_refusal(os.path.join(self.tmp, "missing.pt"), "cannot read")
        self.expect_refusal(self.write("text.pt", b"hello world\n"), "not a readable PyTorch")
        good = os.path.join(self.tmp, "good.pt")
        torch.save(rm.SMModel(filters=3, dim=4).state_dict(), good)
        with open(good, "rb") as f:
            self.expect_refusal(self.write("cut.pt", f.read()[:300]), "not a readable PyTorch")
        bad_st = st.write_safetensors({"x": np.ones(3, np.float32)}, {})
        self.expect_refusal(self.write("bad.safetensors", bad_st[:-1]), "bad safetensors")

    def test_wrong_architecture(self):
        cases = [
            ({"linear.weight": torch.ones(2, 2)}, r"not a KimCNN or SMModel checkpoint"),
            ({**rm.KimCNN(filters=3, dim=4).state_dict(), "extra.weight": torch.ones(1)},
             r"not a KimCNN checkpoint: missing keys \[\], unexpected keys \['extra.weight'\]"),
            ({k: v for k, v in rm.SMModel(filters=3, dim=4).state_dict().items()
              if k != "hidden.bias"}, r"missing keys \['hidden.bias'\]"),
            ({**rm.KimCNN(filters=3, dim=4).state_dict(), "fc1.bias": torch.ones(7)},
             r"fc1.bias has shape \[7\], expected \[6\]"),
            ({**rm.KimCNN(filters=3, dim=4).state_dict(), "fc1.bias": torch.ones(6).int()},
             r"dtype torch.int32"),
            ({"epoch": 3}, r"a dict without tensors"),
        ]
        for i, (obj, pattern) in enumerate(cases):
            path = os.path.join(self.tmp, f"case{i}.pt")
            torch.save(obj, path)
            self.expect_refusal(path, pattern)

    def test_narrow_convolution_refused(self):
        model = rm.KimCNN(filters=3, dim=4)
        model.conv2.padding = (0, 0)
        path = os.path.join(self.tmp, "narrow.pt")
        torch.save(model, path)
        self.expect_refusal(path, r"conv2 has padding \(0, 0\).*wide convolution")

    def test_hostile_pickle_runs_nothing(self):
        marker = os.path.join(self.tmp, "pwned")

        class Evil:
            def __reduce__(self):
                return (os.system, (f"touch {marker}",))

        path = os.path.join(self.tmp, "evil.pt")
        torch.save({"conv1.weight": torch.ones(1), "payload": Evil()}, path)
        self.expect_refusal(path, "non-tensor entries")
        self.assertFalse(os.path.exists(marker))

    def test_hostile_pickle_as_the_whole_checkpoint_names_the_refused_call(self):
        marker = os.path.join(self.tmp, "pwned-eval")

        class Evil:
            def __reduce__(self):
                return (eval, (f"__import__('os').system('touch {marker}')",))

        path = os.path.join(self.tmp, "eval.pt")
        torch.save(Evil(), path)
        self.expect_refusal(path, r"holds the result of (__builtin__|builtins)\.eval\(\.\.\.\), which was not run")
        self.assertFalse(os.path.exists(marker))
        torch.save(7, path)
        self.expect_refusal(path, r"holds a value of type builtins\.int, not a model")

    def test_non_finite_weights_refused(self):
        for value, dtype in ((float("nan"), torch.float32), (float("inf"), torch.float32),
                             (1e39, torch.float64)):  # 1e39 overflows float32
            sd = rm.KimCNN(filters=3, dim=4).state_dict()
            sd["conv2.weight"] = sd["conv2.weight"].to(dtype)
            sd["conv2.weight"][1, 0, 2, 3] = value
            path = os.path.join(self.tmp, "nonfinite.pt")
            torch.save(sd, path)
            self.expect_refusal(path, r"tensor conv2\.weight holds -?(nan|inf) at element 27 \[1, 0, 2, 3\]")

    def test_cli_exit_code(self):
        path = self.write("junk.pt", b"\x00" * 64)
        proc = subprocess.run([sys.executable, os.path.join(HERE, "export.py"), path, self.out],
                              capture_output=True, text=True)
        self.assertEqual(proc.returncode, 2)
        self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)


if __name__ == "__main__":
    unittest.main()
