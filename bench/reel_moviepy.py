"""moviepy peer of the reel benchmark (see bench/reel), written for moviepy 2.x.
Usage: reel_moviepy.py OUT.mp4 SECONDS VOICE MUSIC WORDS.srt FONT STILL...

Same reel as ours and the ffmpeg graph: each still covers 1080×1920 and zooms 1.0→1.15 over its time on screen
(resized with a function of time), 0.5 s crossfades, voice + music with a volume envelope lowering the music
under the voice, subtitles as TextClips, libx264 veryfast crf 21 / AAC 160k at 30 fps."""
import os, re, sys, wave

import numpy as np
from moviepy import AudioFileClip, CompositeAudioClip, CompositeVideoClip, ImageClip, TextClip, vfx

W, H, FPS, XFADE, ZOOM = 1080, 1920, 30, 0.5, 0.15
MUSIC_GAIN, DUCKED_GAIN = 0.5, 0.12  # music level alone, and under the voice

out, seconds, voice_path, music_path, srt_path, font = sys.argv[1:7]
stills = sys.argv[7:]
seconds = float(seconds)
each = (seconds + (len(stills) - 1) * XFADE) / len(stills)


def still_clip(path, index):
    clip = ImageClip(path, duration=each)
    scale = max(W / clip.w, H / clip.h)  # cover 1080×1920, then crop the middle
    clip = clip.resized(scale)
    clip = clip.cropped(x_center=clip.w / 2, y_center=clip.h / 2, width=W, height=H)
    if index > 0:
        clip = clip.with_effects([vfx.CrossFadeIn(XFADE)])  # before the zoom, so the mask zooms with the picture
    clip = clip.resized(lambda t: 1 + ZOOM * t / each)
    return clip.with_position("center").with_start(index * (each - XFADE))


def srt_entries(path):
    stamp = lambda s: sum(float(x) * m for x, m in zip(s.replace(",", ".").split(":"), (3600, 60, 1)))
    for block in re.split(r"\n\s*\n", open(path, encoding="utf-8").read().strip()):
        lines = block.splitlines()
        start, end = (stamp(x.strip()) for x in lines[1].split("-->"))
        yield start, end, " ".join(lines[2:])


def voice_envelope(path):
    """Music gain as a function of time: DUCKED_GAIN where the voice speaks (50 ms RMS windows), MUSIC_GAIN
    elsewhere, with 150 ms ramps."""
    with wave.open(path) as w:
        rate, samples = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16) / 32768.0
    hop = rate // 20
    rms = np.sqrt(np.mean(samples[: len(samples) // hop * hop].reshape(-1, hop) ** 2, axis=1))
    active = np.convolve(rms > 0.01, np.ones(9), mode="same") > 0  # hold ±200 ms across short gaps
    gain = np.where(active, DUCKED_GAIN, MUSIC_GAIN)
    gain = np.convolve(np.pad(gain, 3, mode="edge"), np.ones(3) / 3, mode="valid")[2:-2]  # ~150 ms ramps
    times = (np.arange(len(gain)) + 0.5) / 20
    return lambda t: np.interp(t, times, gain)


video = [still_clip(p, i) for i, p in enumerate(stills)]
for start, end, text in srt_entries(srt_path):
    caption = TextClip(font=font, text=text, font_size=80, color="white", stroke_color="black", stroke_width=5,
                       method="caption", size=(960, None), text_align="center", duration=end - start)
    video.append(caption.with_start(start).with_position(("center", 1380)))

envelope = voice_envelope(voice_path)
voice = AudioFileClip(voice_path)
music = AudioFileClip(music_path).with_duration(seconds)
music = music.transform(lambda get, t: get(t) * (envelope(t)[:, None] if np.ndim(t) else envelope(t)), keep_duration=True)
reel = CompositeVideoClip(video, size=(W, H)).with_duration(seconds)
reel = reel.with_audio(CompositeAudioClip([voice, music]).with_duration(seconds))
reel.write_videofile(out, fps=FPS, codec="libx264", preset="veryfast", audio_codec="aac", audio_bitrate="160k",
                     ffmpeg_params=["-crf", "21", "-g", "60", "-pix_fmt", "yuv420p", "-movflags", "+faststart"],
                     threads=0, logger=None,
                     temp_audiofile_path=os.path.dirname(os.path.abspath(out)))  # not the working directory (the repo)
