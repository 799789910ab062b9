// Filtering many packets per call.
export { PacketFilter, BATCH_TARGET_BYTES, type BatchResult, type PacketFilterOptions, type FilterCaptureOptions, type ArenaFilterOptions } from './filter.js';
export { PacketArena, type PacketArenaOptions } from './arena.js';
export { closeFilterWorkers } from './workers.js';
export { scanPcapFile, DEFAULT_SCAN_CHUNK, type PcapScanResult, type PcapScanOptions } from './pcap-scan.js';
