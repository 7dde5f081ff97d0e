"""The model card of a shipped model (weights/cards/NAME.md), rendered from what made it:
the training record (weights/cards/NAME.train.json) and PyTorch's test predictions
(data/predictions/NAME.test.json). ship.py writes it; every number in it comes from those
two files, so the card cannot drift from the weights.
"""

import json
import os

ABOUT = {
    "kim-sst2": {
        "title": "Kim CNN on SST-2 (binary sentiment)",
        "shipped": "`kim`: the default of `pipeline('sentiment-analysis')`, `tinycnn classify`, the demo page and the Lambda route `/kim`",
        "task": "sentence-level sentiment, two classes: `negative`, `positive`",
        "data": "Stanford Sentiment Treebank (Socher et al., 2013): every labelled phrase of the 8,544 "
                "training trees with a non-neutral label, de-duplicated (Kim 2014's protocol; neutral "
                "phrases are dropped for SST-2), 0-1 -> negative, 3-4 -> positive; dev and test are the "
                "non-neutral sentences (872 / 1,821)",
        "limits": "English film reviews of the early 2000s; a word outside the 16k-word training vocabulary "
                  "is a zero vector (the answer lists it as unknown); no pre-trained vectors (CNN-rand), so "
                  "rare words carry little; no notion of a neutral sentence: everything is one of the two "
                  "classes",
    },
    "kim-sst1": {
        "title": "Kim CNN on SST-1 (five-way sentiment)",
        "shipped": "`kim-sst1`: `pipeline('text-classification', 'kim-sst1')`, `tinycnn classify --model kim-sst1`, `tinycnn eval --model kim-sst1`; the Lambda route `/kim` serves it with `TINYCNN_KIM_MODEL=kim-sst1`",
        "task": "sentence-level sentiment, five classes in the treebank's order: `very negative`, "
                "`negative`, `neutral`, `positive`, `very positive` (castorini's SST-1 checkpoints have six "
                "outputs instead, torchtext's label vocabulary: `<unk>` first, then by training frequency; "
                "convert those with their own `--labels`)",
        "data": "Stanford Sentiment Treebank (Socher et al., 2013): every labelled phrase of the 8,544 "
                "training trees, de-duplicated (Kim 2014's protocol); dev and test are the 1,101 / 2,210 "
                "sentences with their root labels",
        "limits": "English film reviews; five-way sentiment is hard (human agreement is far from perfect on "
                  "the neighbouring classes); unknown words are zero vectors; no pre-trained vectors",
    },
    "sm-trecqa": {
        "title": "SM CNN on TrecQA (answer selection)",
        "shipped": "`sm`: the default of `pipeline('answer-selection')`, the demo page and the Lambda route `/sm`",
        "task": "rank candidate answer sentences for a factoid question; class 1 = the sentence answers it; "
                "the ranking score is the logit margin l1 - l0 (the probability of class 1 is reported)",
        "data": "TrecQA as prepared by Yao et al. (2013): TRAIN (94 questions, 4,718 pairs) to train, DEV "
                "(82 questions) to select, TEST (100 questions, 1,517 pairs) to report; TRAIN-ALL is not "
                "available here",
        "limits": "factoid questions over 1990s newswire; most of the signal is word overlap (the 4 external "
                  "features: question words found in the answer, plain and IDF-weighted, with and without "
                  "stopwords, computed by the server from the two texts); 94 training questions teach the "
                  "convolutions little; unknown words are zero vectors",
    },
}


def about(name, record):
    """What ABOUT says of a shipped name; a run shipped under another name (a trial, the CI
    smoke test) borrows its task's text and says it is not shipped."""
    if name in ABOUT:
        return ABOUT[name]
    task = record["settings"].get("task")
    base = ABOUT[f"kim-{task}" if task else "sm-trecqa"]
    return {**base, "title": f"{name}: {base['title']}", "shipped": f"`{name}` (a trial run, not one of the shipped models)"}


def render(name, record, predictions):
    a = about(name, record)
    s = record["settings"]
    kim = "accuracy" in predictions
    optimizer = (f"Adadelta (rho 0.95, eps 1e-6), batches of {s['batch']}, max-norm {s['max_norm']} on fc1, "
                 f"word dropout {s['word_dropout']}, an exponential moving average ({s['ema']}) of the weights "
                 f"evaluated" if kim else
                 f"Adam lr {s['lr']}, weight decay {s['weight_decay']}, batches of {s['batch']}, embeddings "
                 f"initialised uniform in +-{s['init_scale']}")
    lines = [
        f"# {a['title']}",
        "",
        f"Shipped as {a['shipped']}. Files: `weights/{name}.safetensors` (the weights, with its parity "
        f"certificate), `weights/{name}.tcv` (the learned word vectors, F16). This card is written by "
        f"`converters/train/ship.py` from `weights/cards/{name}.train.json` and "
        f"`data/predictions/{name}.test.json`.",
        "",
        f"- **Task**: {a['task']}.",
        f"- **Data**: {a['data']}.",
        f"- **Model**: castorini's {'KimCNN (static, one channel; filters 3/4/5 x 100, ReLU, max over time, dropout 0.5, fc1)' if kim else 'SMModel (separate conv_q / conv_a, width 5 x 100 filters, tanh, max over time, 4 external features, hidden layer 204 -> 204, tanh, dropout 0.5, 2 outputs)'}; "
        f"{300 if kim else 50}-d word vectors learned with the model "
        f"(no pre-trained vectors: CNN-rand), {record['vocab'] - 1:,} words from the training data; an unknown word "
        f"is a zero vector. Tokenizer `ptb` (typed text -> the treebank's tokens, lower-cased).",
        f"- **Training**: `{record['command']}` (seed {s['seed']}, one pinned CPU thread: the same command "
        f"writes the same bytes), {optimizer}; "
        f"{len(record['history'])} epochs, the one with the best dev {'accuracy' if kim else 'MAP'} kept (epoch "
        f"{record['selected_epoch']}){'; ' + record['selection'] if record.get('selection') else ''}; "
        f"{record['seconds'] / 60:.0f} min wall time on one thread of a shared 2-core AMD EPYC (torch {record['torch']}).",
        "",
        "| split | metric | value |",
        "|---|---|---|",
    ]
    chosen = record["history"][record["selected_epoch"] - 1]
    if kim:
        lines += [
            f"| dev (selection) | accuracy | {record['dev_accuracy'] * 100:.2f} % |",
            f"| test | accuracy | **{predictions['accuracy'] * 100:.2f} %** ({predictions['correct']} of {predictions['total']}) |",
        ]
        if "dev_f16" in chosen:
            lines.insert(-1, f"| dev, vectors rounded to F16 as shipped | accuracy | {chosen['dev_f16'] * 100:.2f} % |")
    else:
        dev = record["dev"]
        lines += [
            f"| DEV raw (selection) | MAP / MRR | {dev['raw'][0]:.4f} / {dev['raw'][1]:.4f} ({dev['raw'][2]} questions) |",
            *([f"| DEV raw, vectors rounded to F16 as shipped | MAP | {chosen['dev_map_f16']:.4f} |"] if "dev_map_f16" in chosen else []),
            f"| TEST raw | MAP / MRR | **{predictions['map']:.4f} / {predictions['mrr']:.4f}** ({predictions['questions_raw']} questions) |",
            f"| TEST clean | MAP / MRR | {predictions['map_clean']:.4f} / {predictions['mrr_clean']:.4f} ({predictions['questions_clean']} questions) |",
        ]
    lines += [
        "",
        "Test figures are PyTorch's on the shipped files (`converters/train/predict.py`); tinycnn gives exactly "
        "the same labels and rankings on every backend (`npm test`: test/eval/accuracy.test.ts; "
        f"`tinycnn eval {'data/sst/test.txt' + (' --model kim-sst1' if name == 'kim-sst1' else '') if kim else 'data/trecqa/TEST.xml'}`). "
        "Test was never used to choose anything.",
        "",
        f"**Limits**: {a['limits']}.",
        "",
    ]
    return "\n".join(lines)


def write_card(name, cards_dir, predictions_path):
    with open(os.path.join(cards_dir, f"{name}.train.json"), encoding="utf-8") as f:
        record = json.load(f)
    with open(predictions_path, encoding="utf-8") as f:
        predictions = json.load(f)
    with open(os.path.join(cards_dir, f"{name}.md"), "w", encoding="utf-8") as f:
        f.write(render(name, record, predictions))
