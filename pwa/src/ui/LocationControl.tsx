/** The device location, recorded only when the officer chooses to (with its accuracy). */

import { useState } from "preact/hooks";

import type { LocalRecord } from "../model/types";
import { useApp } from "./hooks";

export function LocationControl({ visit, locked }: { visit: LocalRecord; locked: boolean }) {
  const app = useApp();
  const [message, setMessage] = useState<string | null>(null);
  const lat = visit.fields["location.latitude"];
  const lon = visit.fields["location.longitude"];
  const acc = visit.fields["location.accuracy_m"];
  const has = typeof lat === "number" && typeof lon === "number";

  const record = () => {
    if (!("geolocation" in navigator)) {
      setMessage("This phone cannot give a location.");
      return;
    }
    setMessage("Finding your location…");
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        setMessage(null);
        void app.edit({
          collection: "visits", id: visit.id, visit_id: visit.id,
          fields: {
            "location.latitude": Math.round(pos.coords.latitude * 1e6) / 1e6,
            "location.longitude": Math.round(pos.coords.longitude * 1e6) / 1e6,
            "location.accuracy_m": Math.min(100000, Math.round(pos.coords.accuracy)),
          },
        });
      },
      (err) => setMessage(`No location: ${err.message}`),
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 },
    );
  };
  const clear = () =>
    app.edit({ collection: "visits", id: visit.id, visit_id: visit.id, fields: { "location.latitude": null, "location.longitude": null, "location.accuracy_m": null } });

  return (
    <section class="location" aria-labelledby="location-title">
      <h3 id="location-title">Device location</h3>
      <p aria-live="polite">
        {has ? `${String(lat)}, ${String(lon)}${typeof acc === "number" ? ` (within ${acc} m)` : ""}` : "Not recorded (only when you choose)."}
      </p>
      {message && <p class="note" role="status">{message}</p>}
      {!locked && (
        <div class="row">
          <button type="button" class="secondary" onClick={record}>Record my location</button>
          {has && <button type="button" class="secondary" onClick={() => void clear()}>Clear location</button>}
        </div>
      )}
    </section>
  );
}
