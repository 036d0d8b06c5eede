// The part of RTCDataChannel that chat and file transfer use, so Node tests can
// pass an in-memory fake. A real RTCDataChannel satisfies it structurally.

export interface Channel {
  readonly label: string;
  readonly readyState: RTCDataChannelState;
  readonly bufferedAmount: number;
  bufferedAmountLowThreshold: number;
  binaryType: BinaryType;
  /** A view sends only its own bytes (a file chunk out of a larger slice). */
  send(data: string | ArrayBuffer | ArrayBufferView<ArrayBuffer>): void;
  close(): void;
  addEventListener<K extends keyof ChannelEventMap>(type: K, listener: (ev: ChannelEventMap[K]) => void): void;
  removeEventListener<K extends keyof ChannelEventMap>(type: K, listener: (ev: ChannelEventMap[K]) => void): void;
}

export interface ChannelEventMap {
  // `unknown`: a peer can send anything, and with `binaryType` left as 'blob' a binary frame is a Blob.
  message: MessageEvent<unknown>;
  open: Event;
  close: Event;
  bufferedamountlow: Event;
}
