// Filtering many packets per call.
export { PacketFilter, BATCH_TARGET_BYTES, type BatchResult, type PacketFilterOptions, type FilterCaptureOptions } from './filter.js';
export { scanPcapFile, type PcapScanResult } from './pcap-scan.js';
