/** The queue's API client for the supervisor's screens. */

import { useMemo } from "preact/hooks";

import { QueueApi } from "../../queue-api";
import { useApp } from "../hooks";

export function useQueueApi(): QueueApi {
  const app = useApp();
  return useMemo(() => new QueueApi(app.api), [app]);
}
