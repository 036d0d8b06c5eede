// Known media for Chromium's fake capture devices (--use-file-for-fake-audio-capture,
// --use-file-for-fake-video-capture): generated here, so a test knows exactly
// what a microphone or camera "hears" and "sees".
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from './prng.ts';

/** Chromium's fake audio capture reads 16-bit PCM WAV; 48 kHz is WebRTC's and RNNoise's rate. */
const SAMPLE_RATE = 48_000;

/** The layout of `speechAndNoiseWav`: speech for this long, then only noise for as long, over and over. */
export const SPEECH_MS = 1_500;
export const PAUSE_MS = 1_500;
/** RMS of the white noise under everything (about −30 dBFS: a fan or a busy room). */
export const NOISE_RMS = 0.03;

/** Gaussian noise from two uniforms (Box–Muller). */
const gaussian = (random: () => number) => () => Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());

/**
 * Voiced "speech" (a gliding pitch with vowel-like formants, in syllables)
 * for SPEECH_MS, then `pauseMs` of nothing but the noise, repeated for `seconds`,
 * with white noise at NOISE_RMS throughout. Written as mono 16-bit WAV.
 * `pauseMs` 0: someone who talks without a pause, so Opus DTX never engages
 * (Chromium's own fake microphone beeps, and between beeps DTX may).
 */
export function writeSpeechAndNoiseWav(path: string, seconds = 12, pauseMs = PAUSE_MS): void {
  const n = seconds * SAMPLE_RATE;
  const pcm = new Int16Array(n);
  const noise = gaussian(mulberry32(15));
  const cycle = ((SPEECH_MS + pauseMs) / 1000) * SAMPLE_RATE;
  const speechLen = (SPEECH_MS / 1000) * SAMPLE_RATE;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE;
    const inCycle = i % cycle;
    let voice = 0;
    if (inCycle < speechLen) {
      // Pitch glides between 110 and 170 Hz; harmonics shaped by two formants (an "ah"-like vowel).
      const f0 = 140 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
      phase += (2 * Math.PI * f0) / SAMPLE_RATE;
      for (let h = 1; h * f0 < 4000; h++) {
        const f = h * f0;
        const formants = Math.exp(-(((f - 700) / 150) ** 2)) + 0.6 * Math.exp(-(((f - 1200) / 200) ** 2)) + 0.15 / h;
        voice += formants * Math.sin(h * phase);
      }
      // Syllables: four a second, rising and falling smoothly.
      const syllable = Math.sin((Math.PI * (inCycle % (SAMPLE_RATE / 4))) / (SAMPLE_RATE / 4)) ** 2;
      voice *= 0.12 * syllable;
    }
    const sample = voice + NOISE_RMS * noise();
    pcm[i] = Math.max(-32768, Math.min(32767, Math.round(sample * 32767)));
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + pcm.byteLength, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(pcm.byteLength, 40);
  writeFileSync(path, Buffer.concat([header, Buffer.from(pcm.buffer)]));
}

/** Size of the squares in `writeCheckerboardY4m`: sharp edges every 16 px, which any blur softens. */
export const CHECKER_PX = 16;

/**
 * A camera that films a black-and-white checkerboard, with a grey bar sweeping
 * across so every frame differs (an encoder sends nothing for a still picture
 * after a while). 640×360 at 30 fps, `frames` frames, looped by Chromium.
 */
export function writeCheckerboardY4m(path: string, frames = 30): void {
  const width = 640;
  const height = 360;
  const parts: Buffer[] = [Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`)];
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128); // no colour
  for (let f = 0; f < frames; f++) {
    const y = Buffer.alloc(width * height);
    const bar = Math.floor((f / frames) * width);
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const white = (Math.floor(r / CHECKER_PX) + Math.floor(c / CHECKER_PX)) % 2 === 0;
        y[r * width + c] = Math.abs(c - bar) < 8 ? 128 : white ? 235 : 16;
      }
    }
    parts.push(Buffer.from('FRAME\n'), y, chroma);
  }
  writeFileSync(path, Buffer.concat(parts));
}

/**
 * A microphone that talks without a pause (writeSpeechAndNoiseWav, pauseMs 0):
 * where a test needs sound on the wire, which Opus DTX stops in silence.
 * `args` go to launchPerson's extraArgs; `remove` deletes the file.
 */
export function talkingMic(): { args: string[]; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'zing-talk-'));
  const wav = join(dir, 'talk.wav');
  writeSpeechAndNoiseWav(wav, 12, 0);
  return { args: [`--use-file-for-fake-audio-capture=${wav}`], remove: () => rmSync(dir, { recursive: true, force: true }) };
}
