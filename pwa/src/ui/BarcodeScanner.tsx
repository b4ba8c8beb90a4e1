/**
 * Scan a kit's code with the camera where the browser has BarcodeDetector (Chrome on Android);
 * elsewhere the officer types it. The video element is styled by class only (CSP: no inline style).
 */

import { useEffect, useRef, useState } from "preact/hooks";

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}
type BarcodeDetectorCtor = new (options?: { formats?: string[] }) => BarcodeDetectorLike;

export function barcodeSupported(): boolean {
  return typeof (globalThis as { BarcodeDetector?: unknown }).BarcodeDetector === "function" && !!navigator.mediaDevices?.getUserMedia;
}

export function BarcodeScanner({ onCode, onClose }: { onCode: (code: string) => void; onClose: () => void }) {
  const video = useRef<HTMLVideoElement>(null);
  const [message, setMessage] = useState("Point the camera at the kit's code.");

  useEffect(() => {
    let stream: MediaStream | null = null;
    let stopped = false;
    const Detector = (globalThis as unknown as { BarcodeDetector: BarcodeDetectorCtor }).BarcodeDetector;
    const detector = new Detector();
    const tick = async () => {
      if (stopped || !video.current) return;
      try {
        const codes = await detector.detect(video.current);
        const code = codes.find((c) => /^[A-Za-z0-9-]{4,40}$/.test(c.rawValue.trim()));
        if (code) {
          onCode(code.rawValue.trim().toUpperCase());
          return;
        }
      } catch {
        // frame not ready
      }
      setTimeout(() => void tick(), 250);
    };
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: "environment" } })
      .then(async (s) => {
        stream = s;
        if (!video.current) return;
        video.current.srcObject = s;
        await video.current.play();
        void tick();
      })
      .catch((err: Error) => setMessage(`The camera is not available: ${err.message}. Type the code instead.`));
    return () => {
      stopped = true;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  return (
    <div class="scanner" role="dialog" aria-label="Scan kit code">
      <video ref={video} class="scanner-video" muted playsInline aria-hidden="true" />
      <p role="status">{message}</p>
      <button type="button" class="secondary" onClick={onClose}>Stop scanning</button>
    </div>
  );
}
