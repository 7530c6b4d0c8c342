#!/usr/bin/env python3
"""The PyTorch side of the side-by-side benchmark (Benchmarks/run_side_by_side.py runs it).

Loads the same random-weight full-size SD1.5 checkpoint and v2 motion module that adiff
loads (written by `adiff-make-models --preset sd15`) into diffusers / transformers with their
own single-file converters (configs passed locally, no network), and times one workload:

  step256   one CFG step of UNet + motion: 2 × 16 frames at 256×256 (32×32 latents)
  step512   the same at 512×512 (64×64 latents)
  vae512    VAE decode of one 512×512 frame
  clip      CLIP text encode of one 77-token chunk
  lcm256    a whole 256×256 16-frame LCM generation: 2 prompts encoded, 6 CFG steps of
            UNet + motion (2 × 16 frames), 16 frames decoded one at a time

Prints one JSON object: {"workload", "seconds" (median), "runs", "dtype", "threads"}.
Timings are wall time of the workload only (models loaded and one warm-up run before).

Usage:
  python3 Benchmarks/pytorch/torch_bench.py --models DIR --workload step256 [--dtype fp32|bf16]
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
from diffusers import AutoencoderKL, MotionAdapter, UNet2DConditionModel, UNetMotionModel  # noqa: E402
from diffusers.loaders import single_file_utils as sfu  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from transformers import CLIPTextConfig, CLIPTextModel  # noqa: E402

UNET_CONFIG = dict(
    sample_size=64, in_channels=4, out_channels=4,
    down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
    up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3,
    block_out_channels=(320, 640, 1280, 1280), layers_per_block=2,
    cross_attention_dim=768, attention_head_dim=8, norm_num_groups=32,
)
VAE_CONFIG = dict(
    in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",) * 4,
    up_block_types=("UpDecoderBlock2D",) * 4, block_out_channels=(128, 256, 512, 512),
    layers_per_block=2, latent_channels=4, norm_num_groups=32, sample_size=512,
)
CLIP_CONFIG = dict(vocab_size=49408, max_position_embeddings=77, hidden_act="quick_gelu", projection_dim=768,
                   hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12)


def find(folder, suffix):
    names = sorted(n for n in os.listdir(folder) if n.endswith(suffix))
    if not names:
        sys.exit(f"no *{suffix} in {folder}")
    return os.path.join(folder, names[0])


def single_file(model_class, config, path, dtype):
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "m"))
        with open(os.path.join(d, "m", "config.json"), "w") as f:
            json.dump(dict(config, _class_name=model_class.__name__), f)
        return model_class.from_single_file(path, config=d, subfolder="m", local_files_only=True, torch_dtype=dtype)


def load_clip(path, dtype):
    clip = CLIPTextModel(CLIPTextConfig(**CLIP_CONFIG))
    state = {k[len("cond_stage_model.transformer."):]: v.float() for k, v in load_file(path).items()
             if k.startswith("cond_stage_model.transformer.") and not k.endswith("position_ids")}
    clip.load_state_dict(state, strict=False)
    return clip.to(dtype).eval()


def load_motion_unet(checkpoint, motion_path, dtype):
    unet = single_file(UNet2DConditionModel, UNET_CONFIG, checkpoint, torch.float32)
    state = sfu.convert_animatediff_checkpoint_to_diffusers(load_file(motion_path))
    adapter = MotionAdapter(block_out_channels=(320, 640, 1280, 1280), motion_layers_per_block=2,
                            motion_mid_block_layers_per_block=1, motion_num_attention_heads=8,
                            motion_max_seq_length=32, use_motion_mid_block=True)
    adapter.load_state_dict({k: v.float() for k, v in state.items()}, strict=False)
    model = UNetMotionModel.from_unet2d(unet, adapter)
    return model.to(dtype).eval()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", required=True, help="folder with Stable-diffusion/ and AnimateDiff/")
    parser.add_argument("--workload", required=True, choices=["step256", "step512", "vae512", "clip", "lcm256"])
    parser.add_argument("--dtype", default="fp32", choices=["fp32", "bf16"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    dtype = torch.float32 if args.dtype == "fp32" else torch.bfloat16
    checkpoint = find(os.path.join(args.models, "Stable-diffusion"), ".safetensors")
    motion = find(os.path.join(args.models, "AnimateDiff"), "v2.safetensors") if args.workload != "clip" else None
    generator = torch.Generator().manual_seed(0)
    frames = 16

    if args.workload in ("step256", "step512", "lcm256"):
        unet = load_motion_unet(checkpoint, motion, dtype)
        side = 64 if args.workload == "step512" else 32
        # UNetMotionModel takes [batch, channels, frames, h, w] and one context row per frame:
        # batch 2 (the CFG halves) × 16 frames is the 32 UNet rows adiff runs.
        latents = torch.randn(2, 4, frames, side, side, generator=generator).to(dtype)
        context = torch.randn(2 * frames, 77, 768, generator=generator).to(dtype)
        if args.workload == "lcm256":
            vae = single_file(AutoencoderKL, VAE_CONFIG, checkpoint, torch.float32).to(dtype).eval()
            clip = load_clip(checkpoint, dtype)
            tokens = torch.randint(0, 49408, (2, 77), generator=generator)

            def work():
                cond = clip(tokens).last_hidden_state.repeat_interleave(frames, dim=0)
                x = latents
                for step in range(6):
                    eps = unet(x, 999 - 166 * step, encoder_hidden_states=cond).sample
                    x = x - 0.1 * eps
                for i in range(frames):
                    vae.decode(x[0:1, :, i] / 0.18215)
        else:
            def work():
                unet(latents, 500, encoder_hidden_states=context)
    elif args.workload == "vae512":
        vae = single_file(AutoencoderKL, VAE_CONFIG, checkpoint, torch.float32).to(dtype).eval()
        latents = torch.randn(1, 4, 64, 64, generator=generator).to(dtype)

        def work():
            vae.decode(latents / 0.18215)
    else:
        clip = load_clip(checkpoint, dtype)
        tokens = torch.randint(0, 49408, (1, 77), generator=generator)

        def work():
            clip(tokens)

    times = []
    with torch.inference_mode():
        work()  # warm-up
        for _ in range(args.runs):
            start = time.perf_counter()
            work()
            times.append(time.perf_counter() - start)
    print(json.dumps(dict(workload=args.workload, seconds=statistics.median(times), runs=times,
                          dtype=args.dtype, threads=args.threads)))


if __name__ == "__main__":
    main()
