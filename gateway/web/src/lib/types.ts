/**
 * JSON shapes of the nodelink gateway HTTP API.
 *
 * The gateway renders protobuf messages with their field names as JSON keys
 * (the specification's examples). An optional protobuf field that was not
 * collected (no sensor, excluded by the agent's configuration) or was removed
 * by a `metrics=` filter is absent from the JSON, never 0 -- hence the many
 * optional properties. Identifying fields (device, interface, task_id) are
 * present whenever their object is.
 *
 * Units: `timestamp` of snapshots, system information and SSE events is Unix
 * milliseconds; history timestamps and query bounds are Unix seconds.
 */

/** `{"error": {"status": N, "message": "..."}}`, the body of every error answer. */
/**
 * Why a control request failed (docs/protocol.md, failure codes): stable, for
 * programs to act on; the message is for people. A gateway newer than this
 * client may send a name not listed here.
 */
export type FailureCode =
  | 'unspecified'
  | 'unknown_agent'
  | 'not_connected'
  | 'disconnected'
  | 'timeout'
  | 'busy'
  | 'invalid_request'
  | 'refused'
  | 'unsupported'
  | 'resource_exhausted'
  | 'unavailable'
  | 'internal';

export interface ApiErrorBody {
  /** `code` is present on failed control requests (controlStream, getSystemInfo with refresh). */
  error: { status: number; message: string; code?: FailureCode | (string & {}) };
}

// ------------------------------------------------------------ system information

export interface CpuInfo {
  model?: string;
  cores?: number;
  threads?: number;
  base_frequency_ghz?: number;
  max_frequency_ghz?: number;
  features?: string[];
}

export interface MemoryInfo {
  total_bytes?: number;
  available_bytes?: number;
  memory_type?: string;
  speed_mhz?: number;
}

export interface DiskInfo {
  device?: string;
  mount_point?: string;
  filesystem?: string;
  total_bytes?: number;
  available_bytes?: number;
  disk_type?: string;
}

export interface NetworkInterfaceInfo {
  name?: string;
  mac_address?: string;
  ip_addresses?: string[];
  speed_mbps?: number;
  is_up?: boolean;
}

export interface SystemHardware {
  cpu?: CpuInfo;
  memory?: MemoryInfo;
  disks?: DiskInfo[];
  architecture?: string;
  core_count?: number;
  thread_count?: number;
}

export interface OperatingSystem {
  name?: string;
  version?: string;
  kernel_version?: string;
  distribution?: string;
}

export interface InstalledPackage {
  name?: string;
  version?: string;
  package_manager?: string;
}

export interface SystemSoftware {
  os?: OperatingSystem;
  hostname?: string;
  uptime_seconds?: number;
  packages?: InstalledPackage[];
}

/** GET /agents/{id}/system */
export interface SystemInfo {
  agent_id: string;
  /** Unix milliseconds of the agent's sample of this information. */
  timestamp?: number;
  hardware?: SystemHardware;
  software?: SystemSoftware;
  network_interfaces?: NetworkInterfaceInfo[];
}

// ------------------------------------------------------------ metrics

export interface CpuMetrics {
  usage_percent?: number;
  /** Busy percentage of each logical CPU, index = CPU number. */
  core_usage?: number[];
  user_percent?: number;
  system_percent?: number;
  idle_percent?: number;
  iowait_percent?: number;
  /** Absent when the host has no temperature sensor. */
  temperature_celsius?: number;
}

export interface MemoryMetrics {
  total_bytes?: number;
  used_bytes?: number;
  available_bytes?: number;
  free_bytes?: number;
  cached_bytes?: number;
  buffers_bytes?: number;
  usage_percent?: number;
  swap_total_bytes?: number;
  swap_used_bytes?: number;
  swap_free_bytes?: number;
  swap_usage_percent?: number;
}

export interface DiskMetrics {
  device: string;
  mount_point?: string;
  total_bytes?: number;
  used_bytes?: number;
  available_bytes?: number;
  usage_percent?: number;
  read_bytes_per_sec?: number;
  write_bytes_per_sec?: number;
  read_ops_per_sec?: number;
  write_ops_per_sec?: number;
  io_util_percent?: number;
}

export interface NetworkMetrics {
  interface: string;
  bytes_sent_per_sec?: number;
  bytes_recv_per_sec?: number;
  packets_sent_per_sec?: number;
  packets_recv_per_sec?: number;
  errors_in?: number;
  errors_out?: number;
  drops_in?: number;
  drops_out?: number;
}

export interface TaskProcessMetrics {
  task_id: string;
  pid?: number;
  cpu_percent?: number;
  memory_bytes?: number;
  virtual_memory_bytes?: number;
  threads?: number;
  read_bytes?: number;
  write_bytes?: number;
}

export interface ProcessMetrics {
  total_processes?: number;
  running_processes?: number;
  sleeping_processes?: number;
  zombie_processes?: number;
  task_processes?: TaskProcessMetrics[];
}

export interface LoadMetrics {
  load1?: number;
  load5?: number;
  load15?: number;
}

/** One sample: GET /agents/{id}/metrics, and the data of each SSE `metrics` event. */
export interface MetricsSnapshot {
  /** Present on GET /agents/{id}/metrics; SSE events may leave it out. */
  agent_id?: string;
  /** Unix milliseconds of the sample. */
  timestamp: number;
  cpu?: CpuMetrics;
  memory?: MemoryMetrics;
  disks?: DiskMetrics[];
  network_interfaces?: NetworkMetrics[];
  processes?: ProcessMetrics;
  load?: LoadMetrics;
}

// ------------------------------------------------------------ history

/** Parameters of GET /agents/{id}/metrics/history. */
export interface MetricsQuery {
  /** Dotted metric names (`cpu.usage_percent`, `disk.sda.read_bytes_per_sec`, ...). */
  metrics: string[];
  /** Unix seconds; the gateway's default when left out. */
  start?: number;
  /** Unix seconds; the gateway's default (now) when left out. */
  end?: number;
  /** Bucket width in seconds (>= 1). */
  interval?: number;
  /** Upper bound on returned points; the answer says `truncated` when reached. */
  maxPoints?: number;
  /** Specification spelling of `start`. */
  startTime?: number;
  /** Specification spelling of `end`. */
  endTime?: number;
}

/** One point of a history answer: `timestamp` (Unix seconds) plus one key per metric. */
export interface MetricsTimePoint {
  timestamp: number;
  [metric: string]: number;
}

/** GET /agents/{id}/metrics/history */
export interface MetricsHistory {
  agent_id: string;
  query: {
    metrics: string[];
    start_timestamp: number;
    end_timestamp: number;
    interval_seconds?: number;
    max_points?: number;
  };
  data: MetricsTimePoint[];
  /** True when the answer was limited by max_points. */
  truncated?: boolean;
  /** Number of points in `data`. */
  total_points?: number;
  /** Storage tier the points come from (`raw`, `1m`, `1h`): nodelink's addition. */
  tier?: string;
}

// ------------------------------------------------------------ fleet

export type AgentConnectionStatus = 'connected' | 'disconnected';

/** The per-agent summary of GET /metrics/agents. */
export interface AgentMetricsSummary {
  cpu?: { usage_percent?: number };
  memory?: { usage_percent?: number };
}

export interface AgentListEntry {
  agent_id: string;
  status: AgentConnectionStatus;
  /** Unix milliseconds of the latest sample, absent/null when none was seen. */
  last_metrics_update?: number | null;
  metrics: AgentMetricsSummary | null;
  [extra: string]: unknown;
}

/** GET /metrics/agents */
export interface AgentList {
  agents: AgentListEntry[];
}

// ------------------------------------------------------------ stream control

export type StreamAction = 'start' | 'stop' | 'update_interval';

/** Body of POST /agents/{id}/metrics/stream. */
export interface StreamControlRequest {
  action: StreamAction;
  /** Collection interval in seconds (start, update_interval). */
  intervalSeconds?: number;
  /** Metric selectors; empty or absent = everything. */
  metrics?: string[];
}

/**
 * The agent's answer to a stream control request, as relayed by the gateway:
 * `status` is "completed"; the agent's sampling state follows when it sent one.
 */
export interface StreamControlResponse {
  agent_id: string;
  status: string;
  streaming?: boolean;
  interval_ms?: number;
  interval_seconds?: number;
  /** Metric selectors the agent collects (empty = everything). */
  metrics?: string[];
  [extra: string]: unknown;
}

// ------------------------------------------------------------ health

export interface HealthStatus {
  status?: string;
  [extra: string]: unknown;
}
