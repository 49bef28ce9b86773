//! Every piece of UI text, in English and Korean. One struct with one field per
//! text, so a language that misses a text does not compile.
//!
//! Kafka's own words stay as they are in both languages: config names
//! (`segment.bytes`), `CreateTime`/`LogAppendTime`, and the log's error messages,
//! which follow Kafka's exception texts.

use crate::model::FormError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Ko,
}

impl Lang {
    /// `ko`, `ko-KR`, ... are Korean; everything else is English.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("ko") {
            Lang::Ko
        } else {
            Lang::En
        }
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ko => "ko",
        }
    }

    pub fn text(self) -> &'static Text {
        self.pick(&EN, &KO)
    }

    /// The English or the Korean one of two (each module's texts).
    pub fn pick<T>(self, en: T, ko: T) -> T {
        match self {
            Lang::En => en,
            Lang::Ko => ko,
        }
    }
}

pub struct Text {
    pub subtitle: &'static str,

    pub append_heading: &'static str,
    pub key: &'static str,
    pub key_placeholder: &'static str,
    pub value: &'static str,
    pub tombstone: &'static str,
    pub headers: &'static str,
    pub header_key: &'static str,
    pub header_value: &'static str,
    pub add_header: &'static str,
    pub remove_header: &'static str,
    pub no_headers: &'static str,
    pub record_count: &'static str,
    pub record_count_note: &'static str,
    pub append: &'static str,
    pub appended: fn(first: i64, last: i64, count: u32, bytes: u32) -> String,
    pub rolled: &'static str,

    pub offsets_heading: &'static str,
    pub log_start_offset: &'static str,
    pub log_end_offset: &'static str,
    pub high_watermark: &'static str,
    pub high_watermark_note: &'static str,

    pub config_heading: &'static str,
    pub config_note: &'static str,
    pub apply: &'static str,
    pub config_applied: &'static str,
    pub not_a_number: fn(config: &str) -> String,

    pub segments_heading: &'static str,
    pub base_offset: &'static str,
    pub next_offset: &'static str,
    pub size_bytes: &'static str,
    pub offset_index_entries: &'static str,
    pub time_index_entries: &'static str,
    pub download_heading: &'static str,
    pub download_log: &'static str,
    pub download_note: &'static str,
    pub active: &'static str,

    pub batches_heading: &'static str,
    pub batches_note: &'static str,
    pub no_batches: &'static str,
    pub last_offset: &'static str,
    pub records: &'static str,
    pub crc: &'static str,
    pub crc_valid: &'static str,
    pub crc_invalid: &'static str,
    pub timestamp: &'static str,
    pub leader_epoch: &'static str,
    pub batch_header: &'static str,
    pub offset: &'static str,
    pub record_timestamp: &'static str,
    pub hex_dump: fn(shown: usize, total: u32) -> String,
    pub records_error: &'static str,

    pub error: &'static str,
    pub form_error: fn(FormError) -> String,
    pub null: &'static str,
}

pub static EN: Text = Text {
    subtitle: "Partition demo-0, outside the cluster above, on one broker, stored the way Kafka stores it: v2 record batches in segment files. Everything runs in this page.",

    append_heading: "Produce a batch",
    key: "Key",
    key_placeholder: "empty = null key",
    value: "Value",
    tombstone: "null (tombstone)",
    headers: "Headers",
    header_key: "header key",
    header_value: "header value",
    add_header: "+ header",
    remove_header: "Remove",
    no_headers: "No headers.",
    record_count: "Records in this batch",
    record_count_note: "1–100. With more than one, record i gets the value «value-i» (value-1, value-2, …); the key and headers are repeated as they are.",
    append: "Append",
    appended: |first, last, count, bytes| {
        format!("Appended offsets {first}–{last}: {count} record(s), {bytes} bytes.")
    },
    rolled: "A new segment was rolled first.",

    offsets_heading: "Offsets",
    log_start_offset: "Log start offset",
    log_end_offset: "Log end offset (LEO)",
    high_watermark: "High watermark (HW)",
    high_watermark_note: "Replication factor 1: the leader is the whole ISR, so after each append it sets HW = LEO.",

    config_heading: "Topic config",
    config_note: "Applied with set_config, as kafka-configs --alter would. segment.bytes and message.timestamp.type apply from the next append; index.interval.bytes from the next new segment. This page starts small (segment.bytes 1024, index.interval.bytes 128) so segments roll and index entries appear after a few appends; Kafka's defaults are 1073741824 and 4096.",
    apply: "Apply",
    config_applied: "Config applied.",
    not_a_number: |config| format!("{config}: not a whole number."),

    segments_heading: "Segments",
    base_offset: "Base offset",
    next_offset: "Next offset",
    size_bytes: "Size (bytes)",
    offset_index_entries: ".index entries",
    time_index_entries: ".timeindex entries",
    download_heading: "Download segment files",
    download_log: "Download .log",
    download_note: "The files are Kafka's on-disk format; Kafka's kafka-dump-log.sh reads them.",
    active: "active",

    batches_heading: "Record batches",
    batches_note: "Click a batch to see its records and bytes. The CRC-32C is recomputed here from the stored bytes.",
    no_batches: "The log is empty. Append a batch above.",
    last_offset: "Last offset",
    records: "Records",
    crc: "CRC",
    crc_valid: "valid",
    crc_invalid: "INVALID",
    timestamp: "Timestamp type / max timestamp",
    leader_epoch: "Leader epoch",
    batch_header: "Batch header",
    offset: "Offset",
    record_timestamp: "Timestamp",
    hex_dump: |shown, total| format!("Bytes ({shown} of {total})"),
    records_error: "The records could not be decoded:",

    error: "Error",
    form_error: |e| match e {
        FormError::RecordCount => "Records in this batch must be a whole number from 1 to 100.".to_string(),
        FormError::HeaderKeyEmpty => "A header key must not be empty.".to_string(),
    },
    null: "null",
};

pub static KO: Text = Text {
    subtitle: "위 클러스터와 별개로, 브로커 한 대의 파티션 demo-0을 Kafka와 똑같은 방식(세그먼트 파일 안의 v2 레코드 배치)으로 저장합니다. 모든 동작은 이 페이지 안에서 실행됩니다.",

    append_heading: "배치 보내기",
    key: "키",
    key_placeholder: "비우면 null 키",
    value: "값",
    tombstone: "null (툼스톤)",
    headers: "헤더",
    header_key: "헤더 키",
    header_value: "헤더 값",
    add_header: "+ 헤더",
    remove_header: "삭제",
    no_headers: "헤더 없음.",
    record_count: "이 배치의 레코드 수",
    record_count_note: "1–100. 두 개 이상이면 i번째 레코드의 값은 «값-i»(값-1, 값-2, …)가 되고, 키와 헤더는 그대로 반복됩니다.",
    append: "추가",
    appended: |first, last, count, bytes| {
        format!("오프셋 {first}–{last} 추가됨: 레코드 {count}개, {bytes}바이트.")
    },
    rolled: "먼저 새 세그먼트가 만들어졌습니다(roll).",

    offsets_heading: "오프셋",
    log_start_offset: "로그 시작 오프셋",
    log_end_offset: "로그 끝 오프셋 (LEO)",
    high_watermark: "하이 워터마크 (HW)",
    high_watermark_note: "복제 계수 1: 리더 혼자가 ISR 전체이므로 추가할 때마다 HW = LEO로 설정합니다.",

    config_heading: "토픽 설정",
    config_note: "kafka-configs --alter처럼 set_config로 적용됩니다. segment.bytes와 message.timestamp.type은 다음 추가부터, index.interval.bytes는 다음에 새로 만들어지는 세그먼트부터 적용됩니다. 몇 번만 추가해도 세그먼트가 바뀌고 인덱스 항목이 생기도록 작은 값(segment.bytes 1024, index.interval.bytes 128)으로 시작합니다. Kafka의 기본값은 1073741824와 4096입니다.",
    apply: "적용",
    config_applied: "설정이 적용되었습니다.",
    not_a_number: |config| format!("{config}: 정수가 아닙니다."),

    segments_heading: "세그먼트",
    base_offset: "기준 오프셋",
    next_offset: "다음 오프셋",
    size_bytes: "크기 (바이트)",
    offset_index_entries: ".index 항목",
    time_index_entries: ".timeindex 항목",
    download_heading: "세그먼트 파일 내려받기",
    download_log: ".log 내려받기",
    download_note: "Kafka의 디스크 형식 그대로이며, Kafka의 kafka-dump-log.sh로 읽을 수 있습니다.",
    active: "활성",

    batches_heading: "레코드 배치",
    batches_note: "배치를 누르면 레코드와 바이트를 볼 수 있습니다. CRC-32C는 저장된 바이트로 여기서 다시 계산합니다.",
    no_batches: "로그가 비어 있습니다. 위에서 배치를 추가하세요.",
    last_offset: "마지막 오프셋",
    records: "레코드 수",
    crc: "CRC",
    crc_valid: "정상",
    crc_invalid: "불일치",
    timestamp: "타임스탬프 종류 / 최대 타임스탬프",
    leader_epoch: "리더 에포크",
    batch_header: "배치 헤더",
    offset: "오프셋",
    record_timestamp: "타임스탬프",
    hex_dump: |shown, total| format!("바이트 ({total}바이트 중 {shown}바이트)"),
    records_error: "레코드를 디코딩하지 못했습니다:",

    error: "오류",
    form_error: |e| match e {
        FormError::RecordCount => "이 배치의 레코드 수는 1부터 100까지의 정수여야 합니다.".to_string(),
        FormError::HeaderKeyEmpty => "헤더 키는 비어 있을 수 없습니다.".to_string(),
    },
    null: "null",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_tags() {
        assert_eq!(Lang::from_tag("ko-KR"), Lang::Ko);
        assert_eq!(Lang::from_tag("KO"), Lang::Ko);
        assert_eq!(Lang::from_tag("en-US"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
    }
}
