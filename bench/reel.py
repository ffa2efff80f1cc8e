"""Reel composition benchmark (see bench/reel). Usage: reel.py DRSOCIAL_INTAKE_BINARY [--quick] [--rounds=N] [--preset=NAME]"""
import datetime, json, math, os, re, subprocess, sys, wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench/out"
INPUTS = OUT / "reel-inputs"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
BIN = sys.argv[1]
QUICK = "--quick" in sys.argv[2:]
# Ours, the floor and the ffmpeg graph run this many times, interleaved in a rotating order, and their
# median wall time is compared: this machine drifts by ±20 % within the hour, and one run of each is not
# enough to tell 1.4× from 1.6×. moviepy (three minutes a run) runs once.
ROUNDS = next((int(a.split("=", 1)[1]) for a in sys.argv[2:] if a.startswith("--rounds=")), 1 if QUICK else 3)
W, H, FPS, XFADE, ZOOM = 1080, 1920, 30, 0.5, 0.15
SECONDS = 6.0 if QUICK else 20.0
STILLS = ["s1", "s3"] if QUICK else ["s1", "s2", "s3", "s4", "s5"]
TEXTURE = "s3"  # the noise still the zoom jitter is measured on
# The templates' x264 preset is veryfast, and the issue's figures are for it. `--preset=NAME` is a diagnostic:
# ours (through a copy of pipelines/ whose tiktok template says NAME), the floor and the ffmpeg graph all
# encode with NAME instead, which shows how the ratios depend on the encoder's share of the work. moviepy
# does not run, and the figures go to their own files (bench/out/reel-NAME.json).
TEMPLATE_PRESET = "veryfast"
PRESET = next((a.split("=", 1)[1] for a in sys.argv[2:] if a.startswith("--preset=")), TEMPLATE_PRESET)
DIAGNOSTIC = PRESET != TEMPLATE_PRESET
EACH = (SECONDS + (len(STILLS) - 1) * XFADE) / len(STILLS)  # seconds each still is on screen, crossfades included
# The templates' encoder settings (pipelines/reels/tiktok.yaml): veryfast, CRF 21, High profile, 8 Mbit/s VBV cap.
X264 = ["-c:v", "libx264", "-preset", PRESET, "-crf", "21", "-pix_fmt", "yuv420p", "-g", "60", "-threads", "0",
        "-profile:v", "high", "-maxrate", "8000k", "-bufsize", "16000k"]
AAC = ["-c:a", "aac", "-b:a", "160k"]
RUN = OUT / (("reel-quick" if QUICK else "reel") + (f"-{PRESET}" if DIAGNOSTIC else ""))
SENTENCES = [
    "Hi, I am Aurora, and this is my week in five pictures.",
    "We started with a test card, because every shoot needs one.",
    "Then a fractal, a wall of noise, and some soft gradients.",
    "Follow for more, and tell me which picture you liked best.",
    "Thanks for watching, and see you next week.",
]


# ─────────────────────────── ours: the command line under test (edit here when the CLI changes) ───────────────────────────
def ours_command(binary, stills, voice, music, words_json, seconds, out):
    command = [binary, "compose", "--template", "tiktok"]
    for still in stills:
        command += ["--still", str(still)]
    return command + ["--voice", str(voice), "--music", str(music), "--subtitles", str(words_json),
                      "--seconds", f"{seconds:g}", "--no-progress", "-o", str(out)]
# ────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────────


def log(message):
    print(f"[drsocial] {message}", file=sys.stderr, flush=True)


def ffmpeg(*args):
    subprocess.run(["ffmpeg", "-v", "error", "-y", *map(str, args)], check=True)


# ── inputs ──────────────────────────────────────────────────────────────────────────────────────────────────────────────

def make_stills():
    """1620×2880 JPEGs from lavfi sources; s3 is blurred random noise (detail everywhere, for motion estimation)."""
    sources = {
        "s1": "testsrc2=s=1620x2880:d=1",
        "s2": "mandelbrot=s=810x1440:maxiter=400,scale=1620:2880:flags=bicubic",
        "s3": "nullsrc=s=1620x2880:d=1,format=gray,geq=lum='random(1)*255',gblur=sigma=1.2,"
              "geq=lum='clip((lum(X,Y)-128)*2.5+128,0,255)'",
        "s4": "gradients=s=1620x2880:n=4:seed=7:d=1",
        "s5": "smptehdbars=s=1620x2880:d=1",
    }
    for name, source in sources.items():
        path = INPUTS / f"{name}.jpg"
        if not path.exists():
            ffmpeg("-f", "lavfi", "-i", source, "-frames:v", "1", "-q:v", "2", path)


def read_wav(path):
    with wave.open(str(path)) as w:
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64) / 32768


def write_wav(path, rate, samples):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(rate)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())


def make_speech(folder, seconds):
    """voice.wav (flite slt, exactly `seconds`, 16 kHz mono): sentences spoken one by one, leading/trailing silence
    trimmed, 0.4 s lead-in and 0.35 s gaps; as many sentences as fit. words.json: the words of each sentence spread
    evenly (by letters) over that sentence's sound; words.srt / words.ass: the same in groups of up to 4 words
    within a sentence."""
    if (folder / "words.ass").exists():
        return
    rate, pieces, words, groups, clock = 16000, [], [], [], 0.4
    for i, sentence in enumerate(SENTENCES):
        raw = folder / f"sentence{i}.wav"
        subprocess.run(["flite", "-voice", "slt", "-t", sentence, "-o", str(raw)], check=True)
        rate, samples = read_wav(raw)
        raw.unlink()
        loud = np.flatnonzero(np.abs(samples) > 0.02)
        samples = samples[loud[0]:loud[-1] + 1]
        span = len(samples) / rate
        if clock + span > seconds - 0.3:
            break
        pieces.append((clock, samples))
        tokens = sentence.split()
        weights = np.cumsum([0] + [len(t) + 1 for t in tokens]) / (sum(len(t) + 1 for t in tokens))
        sentence_words = [{"word": t, "start": round(clock + span * weights[k], 3), "end": round(clock + span * weights[k + 1] - 0.03, 3)}
                          for k, t in enumerate(tokens)]
        words += sentence_words
        groups += [sentence_words[k:k + 4] for k in range(0, len(sentence_words), 4)]
        clock += span + 0.35
    if not pieces:
        raise SystemExit(f"no sentence fits in {seconds} s")
    voice = np.zeros(int(round(seconds * rate)))
    for start, samples in pieces:
        voice[int(start * rate):int(start * rate) + len(samples)] = samples
    write_wav(folder / "voice.wav", rate, voice)
    (folder / "words.json").write_text(json.dumps({"words": words}, indent=1) + "\n")
    stamp = lambda t, sep: f"{int(t // 3600):02d}:{int(t % 3600 // 60):02d}:{t % 60:06.3f}".replace(".", sep)
    (folder / "words.srt").write_text("".join(
        f"{n}\n{stamp(g[0]['start'], ',')} --> {stamp(g[-1]['end'], ',')}\n{' '.join(w['word'] for w in g)}\n\n"
        for n, g in enumerate(groups, 1)))
    centi = lambda t: f"{int(t // 3600)}:{int(t % 3600 // 60):02d}:{t % 60:05.2f}"
    (folder / "words.ass").write_text(
        "[Script Info]\nScriptType: v4.00+\nPlayResX: 1080\nPlayResY: 1920\nWrapStyle: 0\nScaledBorderAndShadow: yes\n\n"
        "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
        "Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, "
        "MarginR, MarginV, Encoding\n"
        "Style: Reel,DejaVu Sans,80,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,-1,0,0,0,100,100,0,0,1,5,0,2,60,60,420,1\n\n"
        "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
        + "".join(f"Dialogue: 0,{centi(g[0]['start'])},{centi(g[-1]['end'])},Reel,,0,0,0,,{' '.join(w['word'] for w in g)}\n"
                  for g in groups))


def make_inputs():
    INPUTS.mkdir(parents=True, exist_ok=True)
    make_stills()
    folder = INPUTS / "quick" if QUICK else INPUTS
    folder.mkdir(exist_ok=True)
    make_speech(folder, SECONDS)
    music = folder / "music.mp3"
    if not music.exists():
        source = ROOT / "testmedia/music.mp3"
        if source.exists():
            ffmpeg("-stream_loop", "-1", "-i", source, "-t", SECONDS, "-c:a", "libmp3lame", "-b:a", "192k", music)
        else:
            ffmpeg("-f", "lavfi", "-i", f"aevalsrc='0.2*sin(2*PI*220*t)+0.05*(random(0)-0.5)':s=44100:d={SECONDS}",
                   "-c:a", "libmp3lame", "-b:a", "192k", music)
    return {"stills": [INPUTS / f"{s}.jpg" for s in STILLS], "voice": folder / "voice.wav", "music": music,
            "words": folder / "words.json", "srt": folder / "words.srt", "ass": folder / "words.ass"}


# ── the four ways ───────────────────────────────────────────────────────────────────────────────────────────────────────

def timed(name, command, env=None):
    """Run under GNU time; (ok, wall s, peak RSS KiB, reason). Output of the command goes to RUN/NAME.log."""
    timing, logfile = RUN / f"{name}.time", RUN / f"{name}.log"
    try:
        with open(logfile, "w") as output:
            done = subprocess.run(["/usr/bin/time", "-f", "%e %M", "-o", str(timing), *map(str, command)],
                                  stdout=output, stderr=subprocess.STDOUT, env=env)
    except OSError as error:
        return False, None, None, str(error)
    wall, rss = timing.read_text().split()[-2:]
    if done.returncode != 0:
        lines = [l.strip() for l in logfile.read_text(errors="replace").splitlines() if l.strip() and not l.startswith("Command exited")]
        said = next((l for l in lines if "error" in l.lower()), lines[-1] if lines else "no output")
        return False, None, None, f"exit {done.returncode}: {said[:120]}"
    return True, float(wall), int(rss), ""


def ours_environment():
    """Ours reads pipelines/ as it is, or for a --preset diagnostic a copy whose tiktok template uses PRESET."""
    if not DIAGNOSTIC:
        return None
    copy = RUN / "pipelines"
    subprocess.run(["rm", "-rf", str(copy)], check=True)
    subprocess.run(["cp", "-r", str(ROOT / "pipelines"), str(copy)], check=True)
    template = copy / "reels/tiktok.yaml"
    text = template.read_text()
    if f"preset: {TEMPLATE_PRESET}" not in text:
        raise SystemExit(f"{template}: no 'preset: {TEMPLATE_PRESET}' line to replace")
    template.write_text(text.replace(f"preset: {TEMPLATE_PRESET}", f"preset: {PRESET}"))
    return dict(os.environ, PIPELINES_DIR=str(copy))


def filters_only(inputs):
    """The ffmpeg graph's filters alone, its output thrown away unencoded: (ok, wall s, peak RSS KiB, reason).
    ffmpeg 5.1 runs the whole filter graph on one thread, so however many cores x264 gets, the graph's
    wall time cannot fall below this."""
    command, _ = ffmpeg_graph(inputs, "-")
    cut = command.index("-c:v")
    return timed("ffmpeg-filters", command[:cut] + ["-r", FPS, "-t", SECONDS, "-f", "null", "-"])


def ffmpeg_graph(inputs, out):
    """The ffmpeg CLI doing the reel in one filter graph; (command, graph)."""
    frames = round(EACH * FPS)
    parts = []
    for i in range(len(STILLS)):  # cover 1080×1920 at twice the size, so zoompan's integer crop is half an output pixel
        parts.append(f"[{i}:v]scale=2160:3840:force_original_aspect_ratio=increase,crop=2160:3840,"
                     f"zoompan=z='1+{ZOOM}*on/{frames - 1}':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d={frames}:s={W}x{H}:fps={FPS},"
                     f"format=yuv420p,setsar=1[v{i}]")
    last = "v0"
    for i in range(1, len(STILLS)):
        parts.append(f"[{last}][v{i}]xfade=transition=fade:duration={XFADE}:offset={i * (EACH - XFADE):.3f}[x{i}]")
        last = f"x{i}"
    ass = str(inputs["ass"]).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")
    parts.append(f"[{last}]ass='{ass}'[v]")
    n = len(STILLS)
    parts += [f"[{n}:a]aformat=sample_rates=48000:channel_layouts=stereo,asplit=2[voice][key]",
              f"[{n + 1}:a]aformat=sample_rates=48000:channel_layouts=stereo,volume=0.5[bed]",
              "[bed][key]sidechaincompress=threshold=0.02:ratio=8:attack=20:release=400[ducked]",
              "[voice][ducked]amix=inputs=2:duration=first:normalize=0,loudnorm=I=-14:TP=-1:LRA=11,aresample=48000[a]"]
    graph = ";\n".join(parts)
    command = ["ffmpeg", "-v", "error", "-y"]
    for still in inputs["stills"]:
        command += ["-i", still]
    command += ["-i", inputs["voice"], "-i", inputs["music"], "-filter_complex", graph, "-map", "[v]", "-map", "[a]",
                *X264, "-r", FPS, *AAC, "-t", SECONDS, "-movflags", "+faststart", out]
    return command, graph


def floor_run(source):
    """Decode `source` to raw yuv420p + wav (untimed), then time the ffmpeg CLI's libx264 + AAC encode of them."""
    info = probe(source)
    raw, pcm = RUN / "floor-raw.yuv", RUN / "floor-raw.wav"
    ffmpeg("-i", source, "-map", "0:v:0", "-f", "rawvideo", "-pix_fmt", "yuv420p", raw)
    ffmpeg("-i", source, "-map", "0:a:0", "-c:a", "pcm_s16le", pcm)
    try:
        return timed("floor", ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p",
                               "-s", f"{info['width']}x{info['height']}", "-framerate", info["rate"], "-i", raw, "-i", pcm,
                               "-map", "0:v", "-map", "1:a", *X264, *AAC, "-movflags", "+faststart", RUN / "floor.mp4"])
    finally:
        raw.unlink(missing_ok=True)
        pcm.unlink(missing_ok=True)


# ── measurements ────────────────────────────────────────────────────────────────────────────────────────────────────────

def probe(path):
    streams = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)],
                                        capture_output=True, text=True, check=True).stdout)["streams"]
    v = next((s for s in streams if s["codec_type"] == "video"), {})
    a = next((s for s in streams if s["codec_type"] == "audio"), {})
    num, den = map(int, v.get("avg_frame_rate", "0/1").split("/"))
    return {"width": v.get("width"), "height": v.get("height"), "rate": v.get("avg_frame_rate"),
            "fps": num / den if den else 0.0, "video_s": float(v.get("duration", "nan")), "audio_s": float(a.get("duration", "nan")),
            "audio_rate": int(a.get("sample_rate", 0)), "audio_channels": a.get("channels", 0)}


def loudness(path):
    """Integrated loudness (LUFS) and true peak (dBTP) from ffmpeg's ebur128 summary."""
    err = subprocess.run(["ffmpeg", "-nostats", "-i", str(path), "-vn", "-af", "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True).stderr
    summary = err[err.rfind("Summary:"):]
    grab = lambda key: float(re.search(rf"{key}:\s*(-?[\d.]+|-inf)", summary).group(1)) if re.search(rf"{key}:", summary) else None
    return grab("I"), grab("Peak")


WINDOW = 256
_hann = np.outer(np.hanning(WINDOW), np.hanning(WINDOW))
_freq2 = np.fft.fftfreq(WINDOW)[:, None] ** 2 + np.fft.fftfreq(WINDOW)[None, :] ** 2
_lowpass = np.exp(-_freq2 / (2 * 0.1 ** 2))  # makes the correlation peak a Gaussian, so a log-parabola fits it


def displacement(a, b):
    """Sub-pixel (dx, dy) that moves patch a onto patch b: phase correlation with a Hann window, the cross-power
    spectrum weighted by a Gaussian, and a parabola fitted to the log of the peak and its neighbours on each axis."""
    fa = np.fft.fft2((a - a.mean()) * _hann)
    fb = np.fft.fft2((b - b.mean()) * _hann)
    cross = fb * np.conj(fa)
    r = np.fft.ifft2(cross / (np.abs(cross) + 1e-12) * _lowpass).real
    iy, ix = np.unravel_index(np.argmax(r), r.shape)
    def vertex(m, c, p):
        m, c, p = (math.log(max(v, 1e-12)) for v in (m, c, p))
        return 0.0 if m - 2 * c + p == 0 else 0.5 * (m - p) / (m - 2 * c + p)
    dy = iy + vertex(r[iy - 1, ix], r[iy, ix], r[(iy + 1) % WINDOW, ix])
    dx = ix + vertex(r[iy, ix - 1], r[iy, ix], r[iy, (ix + 1) % WINDOW])
    return (dx - WINDOW if dx > WINDOW / 2 else dx), (dy - WINDOW if dy > WINDOW / 2 else dy)


def estimator_self_check():
    """Shift blurred noise by known sub-pixel amounts (Fourier shift), quantise to 8 bits, and recover the shifts."""
    rng = np.random.default_rng(7)
    size = 512
    ky, kx = np.fft.fftfreq(size)[:, None], np.fft.fftfreq(size)[None, :]
    spectrum = np.fft.fft2(rng.random((size, size))) * np.exp(-(kx ** 2 + ky ** 2) / (2 * 0.2 ** 2))
    errors = []
    for dx, dy in [(0.3, -0.7), (1.25, 0.1), (-2.4, 0.45), (0.5, 0.5), (-0.15, 1.8), (3.6, -2.2), (0.05, 0.0), (-0.8, -0.33)]:
        picture = lambda sx, sy: np.fft.ifft2(spectrum * np.exp(-2j * np.pi * (kx * sx + ky * sy))).real
        a, b = picture(0, 0), picture(dx, dy)
        scale = lambda p: np.round((p - a.mean()) / a.std() * 50 + 128)[128:384, 128:384]
        ex, ey = displacement(scale(a), scale(b))
        errors += [ex - dx, ey - dy]
    worst = float(np.max(np.abs(errors)))
    return worst, len(errors) // 2


PATCHES = [(160, 200), (540, 200), (920, 200), (160, 600), (540, 600), (920, 600)]  # centres, in 1080×1920 terms
# (the top of the picture: away from the zoom centre, and clear of subtitles, which sit in the lower half)


def texture_span():
    """Seconds of the reel where only the noise still is on screen (crossfades excluded)."""
    i = STILLS.index(TEXTURE)
    start = i * (EACH - XFADE)
    return start + (XFADE if i > 0 else 0), start + EACH - (XFADE if i < len(STILLS) - 1 else 0)


def jitter(path, info, span=None):
    """Zoom jitter over the noise still: per patch and axis, frame-to-frame displacement fitted by a line in time;
    the RMS of the residuals over all patches and both axes (px), and the mean speed (px/frame)."""
    width, height, fps = info["width"], info["height"], info["fps"] or FPS
    t0, t1 = span or texture_span()
    first, last = math.ceil(t0 * fps) + 1, math.floor(t1 * fps) - 1
    boxes = []
    for cx, cy in PATCHES:
        x = min(max(round(cx * width / W) - WINDOW // 2, 0), width - WINDOW)
        y = min(max(round(cy * height / H) - WINDOW // 2, 0), height - WINDOW)
        boxes.append((x, y))
    decoder = subprocess.Popen(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v:0", "-vf", f"select='between(n,{first},{last})'",
                                "-vsync", "0", "-f", "rawvideo", "-pix_fmt", "gray", "-"], stdout=subprocess.PIPE)
    size, previous, moves = width * height, None, []
    while True:
        data = decoder.stdout.read(size)
        if len(data) < size:
            break
        frame = np.frombuffer(data, dtype=np.uint8).reshape(height, width)
        patches = [frame[y:y + WINDOW, x:x + WINDOW].astype(np.float64) for x, y in boxes]
        if previous is not None:
            moves.append([displacement(a, b) for a, b in zip(previous, patches)])
        previous = patches
    decoder.wait()
    if len(moves) < 10:
        return None
    moves = np.array(moves)  # frame pair × patch × (dx, dy)
    k = np.arange(len(moves))
    residuals, per_patch = [], []
    for p in range(len(PATCHES)):
        patch = []
        for axis in (0, 1):
            series = moves[:, p, axis]
            patch.append(series - np.polyval(np.polyfit(k, series, 1), k))
        per_patch.append(float(np.sqrt(np.mean(np.square(patch)))))
        residuals += patch
    return {"rms_px": float(np.sqrt(np.mean(np.square(residuals)))), "per_patch_rms_px": [round(v, 4) for v in per_patch],
            "mean_speed_px_per_frame": float(np.mean(np.hypot(moves[..., 0], moves[..., 1]))), "frame_pairs": len(moves),
            "frames": [first, last]}


def smooth_reference():
    """Jitter of a sub-pixel-exact zoom (PIL affine, bicubic) of the noise still, 1.0→1.15 over EACH s, 45 frames of
    it encoded like the others: what the measurement reads for a perfectly smooth zoom after libx264 crf 21."""
    from PIL import Image
    path = INPUTS / f"smooth-zoom-{EACH:g}s.mp4"
    if not path.exists():
        still = Image.open(INPUTS / f"{TEXTURE}.jpg").convert("RGB")
        encoder = subprocess.Popen(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{W}x{H}",
                                    "-r", str(FPS), "-i", "-", *X264, str(path)], stdin=subprocess.PIPE)
        frames = round(EACH * FPS)
        cover = max(still.width / W, still.height / H)  # source pixels per output pixel at zoom 1
        for k in range(45):
            s = cover / (1 + ZOOM * k / (frames - 1))
            encoder.stdin.write(still.transform((W, H), Image.AFFINE, (s, 0, still.width / 2 - s * W / 2, 0, s, still.height / 2 - s * H / 2),
                                                resample=Image.BICUBIC).tobytes())
        encoder.stdin.close()
        if encoder.wait() != 0:
            raise SystemExit("could not encode the smooth-zoom reference")
    return jitter(path, probe(path), span=(0.0, 45 / FPS))["rms_px"]


def measure(path):
    info = probe(path)
    lufs, peak = loudness(path)
    return {"probe": info, "lufs": lufs, "true_peak_dbtp": peak, "jitter": jitter(path, info)}


# ── the run ─────────────────────────────────────────────────────────────────────────────────────────────────────────────

def main():
    RUN.mkdir(parents=True, exist_ok=True)
    log(f"inputs in {INPUTS}")
    inputs = make_inputs()
    worst, shifts = estimator_self_check()
    smooth = smooth_reference()
    check = f"jitter estimator self-check: {shifts} known sub-pixel shifts recovered within {worst:.4f} px " \
            f"({'ok' if worst <= 0.05 else 'FAILED'}, ≤ 0.05 px required);\n  a sub-pixel-exact zoom of {TEXTURE} after " \
            f"libx264 crf 21 reads {smooth:.3f} px"
    results = {}

    log(f"ours: {BIN}")
    if not os.access(BIN, os.X_OK):
        results["ours"] = {"ok": False, "reason": f"{BIN} not found"}
    else:
        ok, wall, rss, reason = timed("ours", ours_command(BIN, inputs["stills"], inputs["voice"], inputs["music"], inputs["words"],
                                                           SECONDS, RUN / "ours.mp4"), env=ours_environment())
        if ok and not (RUN / "ours.mp4").exists():
            ok, reason = False, "no ours.mp4 written"
        results["ours"] = {"ok": ok, "wall_s": wall, "peak_rss_kib": rss, "reason": reason}

    log("ffmpeg graph")
    command, graph = ffmpeg_graph(inputs, RUN / "ffmpeg.mp4")
    (RUN / "ffmpeg-graph.txt").write_text(graph + "\n")
    ok, wall, rss, reason = timed("ffmpeg", command)
    results["ffmpeg"] = {"ok": ok, "wall_s": wall, "peak_rss_kib": rss, "reason": reason, "filter_graph": graph}

    floor_source = "ours" if results["ours"]["ok"] else "ffmpeg"
    log(f"floor (encode of {floor_source}.mp4's decoded video and audio)")
    if results[floor_source]["ok"]:
        ok, wall, rss, reason = floor_run(RUN / f"{floor_source}.mp4")
        results["floor"] = {"ok": ok, "wall_s": wall, "peak_rss_kib": rss, "reason": reason, "source": floor_source}
    else:
        results["floor"] = {"ok": False, "reason": f"{floor_source} output missing", "source": floor_source}

    repeat_timings(results, inputs)

    log("ffmpeg graph, filters only (no encode)")
    ok, wall, rss, reason = filters_only(inputs)
    filters = {"ok": ok, "wall_s": wall, "peak_rss_kib": rss, "reason": reason}

    if DIAGNOSTIC:
        results["moviepy"] = {"ok": False, "reason": f"not run with --preset={PRESET}"}
    else:
        log("moviepy")
        env = dict(os.environ, IMAGEIO_FFMPEG_EXE="/usr/bin/ffmpeg")  # the same ffmpeg/libx264 as the others
        ok, wall, rss, reason = timed("moviepy", [sys.executable, ROOT / "bench/reel_moviepy.py", RUN / "moviepy.mp4", SECONDS,
                                                  inputs["voice"], inputs["music"], inputs["srt"], FONT, *inputs["stills"]], env=env)
        results["moviepy"] = {"ok": ok, "wall_s": wall, "peak_rss_kib": rss, "reason": reason}

    for name, result in results.items():
        if result["ok"]:
            log(f"measuring {name}.mp4")
            result.update(measure(RUN / f"{name}.mp4"))
    report(results, filters, check, worst, smooth)


def repeat_timings(results, inputs):
    """Rounds 2…ROUNDS of ours, the ffmpeg graph and the floor, in a rotating order; each keeps the median."""
    runs = {
        "ours": lambda: timed("ours", ours_command(BIN, inputs["stills"], inputs["voice"], inputs["music"], inputs["words"],
                                                   SECONDS, RUN / "ours.mp4"), env=ours_environment()),
        "ffmpeg": lambda: timed("ffmpeg", ffmpeg_graph(inputs, RUN / "ffmpeg.mp4")[0]),
        "floor": lambda: floor_run(RUN / f"{results['floor']['source']}.mp4"),
    }
    names = [name for name in runs if results[name]["ok"]]
    for name in names:
        results[name]["walls_s"] = [results[name]["wall_s"]]
    for round_number in range(1, ROUNDS):
        order = names[round_number % len(names):] + names[:round_number % len(names)]
        log(f"round {round_number + 1} of {ROUNDS}: {', '.join(order)}")
        for name in order:
            ok, wall, rss, reason = runs[name]()
            if not ok:
                raise SystemExit(f"{name} failed in round {round_number + 1}: {reason}")
            results[name]["walls_s"].append(wall)
            results[name]["peak_rss_kib"] = max(results[name]["peak_rss_kib"], rss)
    for name in names:
        walls = sorted(results[name]["walls_s"])
        results[name]["wall_s"] = walls[len(walls) // 2] if len(walls) % 2 else (walls[len(walls) // 2 - 1] + walls[len(walls) // 2]) / 2


def report(results, filters, check, worst, smooth):
    floor = results["floor"].get("wall_s") if results["floor"]["ok"] else None
    ours = results["ours"].get("wall_s") if results["ours"]["ok"] else None
    nproc = os.cpu_count()
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    print(f"reel {SECONDS:g} s {W}x{H}@{FPS}, {len(STILLS)} stills, voice+music+subtitles   (machine: {nproc} cores, {stamp})")
    if DIAGNOSTIC:
        print(f"DIAGNOSTIC: every tool encodes with x264 preset {PRESET}, not the templates' {TEMPLATE_PRESET}; "
              "these are not the issue's figures.")
    print(check)
    print(f"{'':20}{'wall s':>8}{'peak MiB':>10}{'÷floor':>8}{'LUFS':>8}{'TP dBTP':>9}{'jitter px':>11}   streams")
    labels = {"floor": "floor (x264 only)", "ours": "ours", "ffmpeg": "ffmpeg graph", "moviepy": "moviepy"}
    num = lambda v, f: f"{v:{f}}" if v is not None else "n/a"
    for name in ("floor", "ours", "ffmpeg", "moviepy"):
        r = results[name]
        if not r["ok"]:
            print(f"{labels[name]:20}unavailable ({r['reason']})")
            continue
        p, j = r["probe"], r["jitter"]
        streams = f"{p['width']}x{p['height']}@{p['fps']:.4g} v {p['video_s']:.2f} s, a {p['audio_s']:.2f} s"
        print(f"{labels[name]:20}{r['wall_s']:>8.2f}{r['peak_rss_kib'] / 1024:>10.0f}{num(floor and r['wall_s'] / floor, '.2f'):>8}"
              f"{num(r['lufs'], '.1f'):>8}{num(r['true_peak_dbtp'], '.1f'):>9}{num(j and j['rms_px'], '.3f'):>11}   {streams}")
    if filters["ok"]:
        print(f"{'  graph filters only':20}{filters['wall_s']:>8.2f}{filters['peak_rss_kib'] / 1024:>10.0f}"
              f"{num(floor and filters['wall_s'] / floor, '.2f'):>8}   (one run, no encode: the graph's single-threaded part)")
    else:
        print(f"{'  graph filters only':20}unavailable ({filters['reason']})")
    src = results["floor"]["source"]
    print(f"floor = libx264/AAC encode only of {src}.mp4's decoded frames and audio"
          + ("" if src == "ours" else " (ours unavailable, so the ffmpeg graph's output)") + ".")
    print("wall and peak RSS from GNU time around the whole command; peak RSS is the largest single process of its tree "
          "(moviepy: max of python and its ffmpeg child), not a sum.")
    if ROUNDS > 1:
        rounds = "; ".join(f"{labels[n]} {', '.join(f'{w:.2f}' for w in results[n]['walls_s'])}"
                           for n in ("floor", "ours", "ffmpeg") if results[n]["ok"] and "walls_s" in results[n])
        print(f"wall s: the median of {ROUNDS} interleaved runs (rotating order) of the floor, ours and the ffmpeg graph; "
              f"moviepy ran once. All runs: {rounds}.")
    t0, t1 = texture_span()
    speeds = ", ".join(f"{n} {results[n]['jitter']['mean_speed_px_per_frame']:.2f}" for n in ("ours", "ffmpeg", "moviepy")
                       if results[n]["ok"] and results[n]["jitter"])
    print(f"jitter: RMS residual of a line fitted to the frame-to-frame displacement of {len(PATCHES)} 256×256 patches "
          f"(full res, phase correlation) over {t0:.2f}–{t1:.2f} s (noise still {TEXTURE}); mean motion px/frame: {speeds or 'n/a'}.")
    ratio = lambda a, b, target: f"{a / b:.2f} (target {target})" if a and b else "n/a"
    peer = lambda n: results[n]["wall_s"] if results[n]["ok"] else None
    ours_jitter = results["ours"]["jitter"]["rms_px"] if results["ours"]["ok"] and results["ours"].get("jitter") else None
    print(f"ours ÷ floor: {ratio(ours, floor, '≤ 1.15')}   ffmpeg ÷ ours: {ratio(peer('ffmpeg'), ours, '≥ 1.5')}   "
          f"moviepy ÷ ours: {ratio(peer('moviepy'), ours, '≥ 8')}   "
          f"ours jitter: {f'{ours_jitter:.3f} px (target ≤ 0.1)' if ours_jitter is not None else 'n/a (ours unavailable)'}")
    summary = {"seconds": SECONDS, "stills": STILLS, "rounds": ROUNDS, "x264_preset": PRESET, "graph_filters_only": filters, "size": f"{W}x{H}", "fps": FPS, "machine": {"nproc": nproc, "date": stamp},
               "estimator_self_check_max_error_px": worst,
               "smooth_zoom_reference_jitter_px": smooth, "texture_span_s": [t0, t1], "results": results,
               "ratios": {"ours_over_floor": ours / floor if ours and floor else None,
                          "ffmpeg_over_ours": peer("ffmpeg") / ours if ours and peer("ffmpeg") else None,
                          "moviepy_over_ours": peer("moviepy") / ours if ours and peer("moviepy") else None,
                          "ours_jitter_px": ours_jitter}}
    path = OUT / (("reel-quick" if QUICK else "reel") + (f"-{PRESET}" if DIAGNOSTIC else "") + ".json")
    path.write_text(json.dumps(summary, indent=1) + "\n")
    print(f"figures in {path.relative_to(ROOT)}; outputs and logs in {RUN.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
