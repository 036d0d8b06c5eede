// A known picture (and sound) for Firefox's call page. Firefox's fake camera
// is an even colour and its fake microphone a steady tone, and it has no
// file-backed fake devices like Chromium's y4m and WAV flags; so the test puts
// its own in front of them: a script run in the call page wraps getUserMedia
// and hands back a checkerboard drawn on a canvas in place of the camera, from
// the next time the page opens the camera (the person turns it off and on).
// BiDi's preload scripts would do it before the page's own scripts, but
// Firefox 153 does not run them in moz-extension:// pages (tried). The call
// page cannot tell: it gets a video track as from any camera, and stopping it
// stops the real one.

/** The checkerboard's square, in pixels of its 640×360 picture: sharp edges every 16 px. */
const SQUARE_PX = 16;

/**
 * An expression for BiDi's script.evaluate (so plain JavaScript in a string: it
 * runs in Firefox, not here). A small block at the bottom right moves every
 * frame, so every frame is new and the encoder keeps sending.
 */
export const CHECKERBOARD_CAMERA = `(() => {
  const media = navigator.mediaDevices;
  if (!media) return;
  const real = media.getUserMedia.bind(media);
  media.getUserMedia = async (constraints) => {
    const stream = await real(constraints);
    const camera = stream.getVideoTracks()[0];
    if (!camera) return stream;
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 360;
    const ctx = canvas.getContext('2d');
    let frame = 0;
    const draw = () => {
      for (let y = 0; y < canvas.height; y += ${SQUARE_PX})
        for (let x = 0; x < canvas.width; x += ${SQUARE_PX}) {
          ctx.fillStyle = ((x + y) / ${SQUARE_PX}) % 2 ? '#f0f0f0' : '#202020';
          ctx.fillRect(x, y, ${SQUARE_PX}, ${SQUARE_PX});
        }
      ctx.fillStyle = '#c03030';
      ctx.fillRect(560 + (frame % 60), 300, 20, 20);
      frame += 1;
    };
    draw();
    const timer = setInterval(draw, 33);
    const track = canvas.captureStream(30).getVideoTracks()[0];
    const stop = track.stop.bind(track);
    track.stop = () => {
      clearInterval(timer);
      camera.stop();
      stop();
    };
    stream.removeTrack(camera);
    stream.addTrack(track);
    return stream;
  };
  return true;
})()`;
