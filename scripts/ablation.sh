#!/usr/bin/env bash
# Order ablation on Fashion-MNIST (spec sections 4, 8, 9, 12.2): pre-trains the same small AIM ViT with
# each permutation type for the same number of optimizer steps, then evaluates every encoder (and the
# random-init baseline) by k-NN and by linear probing. Results land in <out>/<run>/{knn,linprobe}/results.json
# and a summary table in <out>/summary.md.
#
#   scripts/ablation.sh [--out DIR] [--stage pretrain|eval|all] [--steps N] [--batch N] [--blr LR]
#                       [--orders "zigzag raster ..."] [--knn_train N] [--knn_test N]
#                       [--probe_epochs N] [--probe_train N] [--probe_test N] [--seed N]
#                       [--embed_dim D] [--depth N] [--heads N] [--ft_epochs N] [--ft_train N] [--ft_test N]
#                       [--extra_pools]
#
# Budget flags: --steps (pre-training optimizer steps, same for every order), --knn_train/--knn_test and
# --probe_train/--probe_test (seeded random subsets of Fashion-MNIST train/test; 0 = all 60k/10k),
# --probe_epochs, --extra_pools (also k-NN on the cls token, a probe on the global pool and a cls probe
# evaluated with --crop_pct 1, besides the recipes' global-pool k-NN and cls-token probe), --ft_epochs (end-to-end fine-tuning with the section-7 recipe; 0 = skipped) with --ft_train/--ft_test. Defaults are the small budget of RESULTS.md (about an hour on 2 busy cores); a larger run:
#   scripts/ablation.sh --out /tmp/abl-big --steps 5000 --knn_train 0 --knn_test 0 --probe_epochs 20 --probe_train 0 --probe_test 0
# The tool is bin/semaim unless SEMAIM_CMD names another launcher (e.g. a java command line on a frozen
# class path, so that rebuilding the checkout while the ablation runs does not disturb it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
semaim=${SEMAIM_CMD:-$root/bin/semaim}

out=/tmp/semaim-ablation
stage=all
steps=300
batch=64
blr=6e-3          # lr = blr x 64 / 256 = 1.5e-3, the demo's lr for this model size
orders="attention_center stochastic raster zigzag attention"
knn_train=10000
knn_test=5000
probe_epochs=2
probe_train=10000
probe_test=5000
seed=0
embed_dim=96
depth=4
heads=3
data=/usr/share/datasets/fashion-mnist
ft_epochs=0
extra_pools=0
ft_train=10000
ft_test=5000

while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --stage) stage=$2; shift 2 ;;
    --steps) steps=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --blr) blr=$2; shift 2 ;;
    --orders) orders=$2; shift 2 ;;
    --knn_train) knn_train=$2; shift 2 ;;
    --knn_test) knn_test=$2; shift 2 ;;
    --probe_epochs) probe_epochs=$2; shift 2 ;;
    --probe_train) probe_train=$2; shift 2 ;;
    --probe_test) probe_test=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --embed_dim) embed_dim=$2; shift 2 ;;
    --depth) depth=$2; shift 2 ;;
    --heads) heads=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --ft_epochs) ft_epochs=$2; shift 2 ;;
    --extra_pools) extra_pools=1; shift ;;
    --ft_train) ft_train=$2; shift 2 ;;
    --ft_test) ft_test=$2; shift 2 ;;
    *) echo "ablation.sh: unknown argument '$1' (see the header of $0)" >&2; exit 2 ;;
  esac
done
case "$stage" in pretrain|eval|all) ;; *) echo "ablation.sh: --stage must be pretrain, eval or all, got '$stage'" >&2; exit 2 ;; esac
[[ -d "$data" ]] || { echo "ablation.sh: $data is missing (apt-get install -y dataset-fashion-mnist, or --data DIR)" >&2; exit 2; }
mkdir -p "$out"

# the one architecture of every run: 28x28x1, patch 4 (7x7 grid), query depth = depth
arch=(--input_size 28 --patch_size 4 --in_chans 1 --embed_dim "$embed_dim" --depth "$depth" --num_heads "$heads")

pretrain() { # $1 = permutation type
  local dir="$out/$1"
  if [[ -f "$dir/pretrain/checkpoint-0001.safetensors" ]]; then echo "== $1: pre-trained already"; return; fi
  echo "== $1: pre-training $steps steps of $batch images ($(date -u +%H:%M:%S))"
  local t0=$SECONDS
  $semaim pretrain --model aim_tiny "${arch[@]}" --query_depth "$depth" --batch_size "$batch" --epochs 1 \
    --max_steps_per_epoch "$steps" --warmup_epochs 0.1 --blr "$blr" --clip_grad 3.0 --norm_pix_loss \
    --permutation_type "$1" --data_path "$data" --output_dir "$dir/pretrain" --seed "$seed" --num_workers 1 \
    --save_every_epochs 1 --print_every 50 > "$dir.pretrain.log" 2>&1 || { echo "   failed: see $dir.pretrain.log"; return 1; }
  echo "$((SECONDS - t0))" > "$dir/pretrain/seconds.txt"
  tail -1 "$dir.pretrain.log"
}

knn() { # $1 = run name, $2 = result folder name, then extra flags (weights, pooling)
  local run=$1 dir="$out/$1" name=$2; shift 2
  if [[ ! -f "$dir/$name/results.json" ]]; then
    echo "== $run: $name ($(date -u +%H:%M:%S))"
    $semaim knn --model vit_tiny_patch4 "${arch[@]}" "$@" --data_path "$data" --nb_classes 10 \
      --max_train_images "$knn_train" --max_eval_images "$knn_test" --output_dir "$dir/$name" --seed "$seed" \
      > "$dir.$name.log" 2>&1 || { echo "   failed: see $dir.$name.log"; return 1; }
    tail -2 "$dir.$name.log"
  fi
}

linprobe() { # $1 = run name, $2 = result folder name, then extra flags (weights, pooling)
  local run=$1 dir="$out/$1" name=$2; shift 2
  if [[ ! -f "$dir/$name/results.json" ]]; then
    echo "== $run: $name ($(date -u +%H:%M:%S))"
    $semaim linprobe --model vit_tiny_patch4 "${arch[@]}" "$@" --data_path "$data" --nb_classes 10 \
      --epochs "$probe_epochs" --warmup_epochs 0 --batch_size 256 --max_train_images "$probe_train" \
      --max_eval_images "$probe_test" --output_dir "$dir/$name" --seed "$seed" --print_every 20 \
      > "$dir.$name.log" 2>&1 || { echo "   failed: see $dir.$name.log"; return 1; }
    tail -1 "$dir.$name.log"
  fi
}

evaluate() { # $1 = run name, $2 = checkpoint or empty for the random-init baseline
  local weights=()
  [[ -n "$2" ]] && weights=(--finetune "$2")
  mkdir -p "$out/$1"
  knn "$1" knn "${weights[@]}" || true                 # recipe (section 9): global pool
  linprobe "$1" linprobe "${weights[@]}" || true       # recipe (section 8): cls token
  if [[ $extra_pools == 1 ]]; then
    knn "$1" knn_cls "${weights[@]}" --cls_token || true
    linprobe "$1" linprobe_global "${weights[@]}" --global_pool || true
    linprobe "$1" linprobe_crop1 "${weights[@]}" --crop_pct 1.0 || true   # test images at the training scale
  fi
}

finetune() { # $1 = run name, $2 = checkpoint or empty
  local dir="$out/$1" weights=()
  [[ -n "$2" ]] && weights=(--finetune "$2")
  if [[ ! -f "$dir/finetune/results.json" ]]; then
    echo "== $1: fine-tuning ($(date -u +%H:%M:%S))"
    $semaim finetune --model vit_tiny_patch4 "${arch[@]}" "${weights[@]}" --data_path "$data" --nb_classes 10 \
      --epochs "$ft_epochs" --warmup_epochs 0.2 --batch_size 64 --blr 1e-3 --max_train_images "$ft_train" \
      --max_eval_images "$ft_test" --output_dir "$dir/finetune" --seed "$seed" --print_every 50 \
      > "$dir.finetune.log" 2>&1 || { echo "   failed: see $dir.finetune.log"; return 1; }
    tail -1 "$dir.finetune.log"
  fi
}

json() { # $1 = file, $2 = key: the number after "key": in a one-line JSON file
  [[ -f "$1" ]] && sed -n "s/.*\"$2\": \([-0-9.eE]*\).*/\1/p" "$1" | head -1 || true
}

if [[ $stage != eval ]]; then
  for o in $orders; do pretrain "$o" || true; done
fi
if [[ $stage != pretrain ]]; then
  evaluate random "" || true
  for o in $orders; do
    ck="$out/$o/pretrain/checkpoint-0001.safetensors"
    if [[ -f "$ck" ]]; then evaluate "$o" "$ck" || true; else echo "== $o: no checkpoint, skipped"; fi
  done
  if [[ $ft_epochs -gt 0 ]]; then # after every k-NN and probe, so that a cut-short run still has those
    finetune random "" || true
    for o in $orders; do
      ck="$out/$o/pretrain/checkpoint-0001.safetensors"
      [[ -f "$ck" ]] && { finetune "$o" "$ck" || true; }
    done
  fi
  {
    echo "| order | pre-train steps x batch | pre-train s | pre-train loss | k-NN top-1 (k=10/20/30), global pool | k-NN top-1 (k=20), cls | linprobe top-1, cls | linprobe top-1, global pool | linprobe top-1, cls, crop 1 | fine-tune top-1 | seed |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    for r in random $orders; do
      d="$out/$r"
      secs=$([[ -f "$d/pretrain/seconds.txt" ]] && cat "$d/pretrain/seconds.txt" || echo "-")
      budget=$([[ $r == random ]] && echo "0" || echo "$steps x $batch")
      echo "| $r | $budget | $secs | $(json "$d/pretrain/log.txt" train_loss) | $(json "$d/knn/results.json" knn10_top1) / $(json "$d/knn/results.json" knn20_top1) / $(json "$d/knn/results.json" knn30_top1) | $(json "$d/knn_cls/results.json" knn20_top1) | $(json "$d/linprobe/results.json" top1) | $(json "$d/linprobe_global/results.json" top1) | $(json "$d/linprobe_crop1/results.json" top1) | $(json "$d/finetune/results.json" top1) | $seed |"
    done
  } > "$out/summary.md"
  cat "$out/summary.md"
fi
