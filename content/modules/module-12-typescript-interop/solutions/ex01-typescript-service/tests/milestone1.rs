//! Milestone 1: the portable core and its exact JSON contract.

use ex01_typescript_service::{
    validate_new_booking, ApiError, Booking, BookingEvent, BookingId, BookingStatus, CancelBooking,
    ErrorCode, FieldError, NewBooking, Schedule, Timestamp, RULES,
};

/// 2024-05-01T09:00:00.000Z
const NINE_AM: i64 = 1_714_554_000_000;
/// 2^53 + 1: the first integer a JavaScript number cannot hold.
const BIG_ID: u64 = 9_007_199_254_740_993;

fn at(minutes_after_nine: i64) -> Timestamp {
    Timestamp::from_millis(NINE_AM + minutes_after_nine * 60_000)
}

fn new_booking(room: &str, start: i64, end: i64) -> NewBooking {
    NewBooking {
        room_id: room.to_owned(),
        title: "Design review".to_owned(),
        start: at(start),
        end: at(end),
        attendees: vec!["ana@example.com".to_owned()],
        note: None,
    }
}

fn ts(s: &str) -> Timestamp {
    s.parse()
        .unwrap_or_else(|e| panic!("{s} should parse: {e}"))
}

// ---------------------------------------------------------------------------------------------
// Ids

#[test]
fn booking_ids_are_decimal_strings_on_the_wire() {
    assert_eq!(
        serde_json::to_string(&BookingId(BIG_ID)).unwrap(),
        r#""9007199254740993""#
    );
    assert_eq!(
        serde_json::to_string(&BookingId(u64::MAX)).unwrap(),
        r#""18446744073709551615""#
    );
    assert_eq!(serde_json::to_string(&BookingId(0)).unwrap(), r#""0""#);
    assert_eq!(
        serde_json::from_str::<BookingId>(r#""9007199254740993""#).unwrap(),
        BookingId(BIG_ID)
    );
    assert_eq!(BookingId(42).to_string(), "42");
    assert_eq!("42".parse::<BookingId>().unwrap(), BookingId(42));
}

#[test]
fn booking_ids_accept_only_the_canonical_spelling() {
    for bad in [
        r#"42"#,
        r#"9007199254740993"#,
        r#""""#,
        r#""042""#,
        r#""+1""#,
        r#""-1""#,
        r#"" 1""#,
        r#""1e3""#,
        r#""18446744073709551616""#,
        "null",
    ] {
        assert!(
            serde_json::from_str::<BookingId>(bad).is_err(),
            "{bad} must be rejected"
        );
    }
    assert!("00".parse::<BookingId>().is_err());
    assert!("0".parse::<BookingId>().is_ok());
}

// ---------------------------------------------------------------------------------------------
// Timestamps

#[test]
fn timestamps_format_like_to_iso_string() {
    let cases = [
        (0, "1970-01-01T00:00:00.000Z"),
        (NINE_AM, "2024-05-01T09:00:00.000Z"),
        (NINE_AM + 1, "2024-05-01T09:00:00.001Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (1_709_208_000_000, "2024-02-29T12:00:00.000Z"),
        (951_868_800_000, "2000-03-01T00:00:00.000Z"),
        (-2_208_988_800_000, "1900-01-01T00:00:00.000Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
    ];
    for (ms, text) in cases {
        let t = Timestamp::from_millis(ms);
        assert_eq!(t.to_string(), text);
        assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{text}\""));
        assert_eq!(ts(text), t, "{text} parses back");
        assert_eq!(t.as_millis(), ms);
    }
}

#[test]
fn timestamps_accept_common_rfc3339_variants() {
    assert_eq!(ts("2024-05-01T09:00:00Z"), at(0));
    assert_eq!(ts("2024-05-01T09:00:00.5Z").as_millis(), NINE_AM + 500);
    assert_eq!(ts("2024-05-01T09:00:00.12Z").as_millis(), NINE_AM + 120);
    assert_eq!(
        ts("2024-05-01T09:00:00.123456789Z").as_millis(),
        NINE_AM + 123
    );
    assert_eq!(ts("2024-05-01T11:00:00+02:00"), at(0));
    assert_eq!(ts("2024-05-01T03:30:00-05:30"), at(0));
    assert_eq!(ts("2024-05-01T09:00:00.000+00:00"), at(0));
    assert_eq!(
        ts("2024-05-01T00:30:00+01:00").to_string(),
        "2024-04-30T23:30:00.000Z"
    );
}

#[test]
fn timestamps_reject_what_is_not_a_real_instant() {
    for bad in [
        "",
        "2024-05-01",
        "2024-05-01T09:00:00",
        "2024-05-01 09:00:00Z",
        "2024-05-01t09:00:00z",
        "2024-5-01T09:00:00Z",
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-00-10T00:00:00Z",
        "2024-05-00T00:00:00Z",
        "2024-05-01T24:00:00Z",
        "2024-05-01T09:60:00Z",
        "2024-05-01T09:00:60Z",
        "2024-05-01T09:00:00.Z",
        "2024-05-01T09:00:00+2:00",
        "2024-05-01T09:00:00+24:00",
        "2024-05-01T09:00:00+0200",
        "2024-05-01T09:00:00Z ",
        "+024-05-01T09:00:00Z",
    ] {
        assert!(
            bad.parse::<Timestamp>().is_err(),
            "{bad:?} must be rejected"
        );
    }
    assert!(ts("2000-02-29T00:00:00Z") < ts("2000-03-01T00:00:00Z"));
    assert!(
        serde_json::from_str::<Timestamp>("1714554000000").is_err(),
        "epoch numbers are not accepted"
    );
}

#[test]
fn formatting_and_parsing_round_trip_across_four_centuries() {
    let mut state: u64 = 12345;
    for _ in 0..20_000 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        // Anywhere between 1800 and 2200.
        let ms = (state >> 11) as i64 % 12_600_000_000_000 - 5_400_000_000_000;
        let t = Timestamp::from_millis(ms);
        assert_eq!(t.to_string().parse::<Timestamp>(), Ok(t), "{ms}");
    }
}

// ---------------------------------------------------------------------------------------------
// Wire types

fn sample_booking() -> Booking {
    Booking {
        id: BookingId(BIG_ID),
        room_id: "blue-room".into(),
        title: "Design review".into(),
        start: at(0),
        end: at(90),
        attendees: vec!["ana@example.com".into(), "bo@example.com".into()],
        note: Some("bring laptops".into()),
        status: BookingStatus::Confirmed,
        created_at: at(-60),
    }
}

const SAMPLE_JSON: &str = concat!(
    r#"{"id":"9007199254740993","roomId":"blue-room","title":"Design review","#,
    r#""start":"2024-05-01T09:00:00.000Z","end":"2024-05-01T10:30:00.000Z","#,
    r#""attendees":["ana@example.com","bo@example.com"],"note":"bring laptops","#,
    r#""status":{"state":"confirmed"},"createdAt":"2024-05-01T08:00:00.000Z"}"#
);

#[test]
fn a_booking_serializes_to_the_documented_json_exactly() {
    assert_eq!(
        serde_json::to_string(&sample_booking()).unwrap(),
        SAMPLE_JSON
    );
    assert_eq!(
        serde_json::from_str::<Booking>(SAMPLE_JSON).unwrap(),
        sample_booking()
    );
}

#[test]
fn an_absent_note_is_omitted_not_null() {
    let booking = Booking {
        note: None,
        ..sample_booking()
    };
    let json = serde_json::to_string(&booking).unwrap();
    assert!(!json.contains("note"), "{json}");
    assert_eq!(serde_json::from_str::<Booking>(&json).unwrap(), booking);
}

#[test]
fn cancelled_status_is_a_tagged_union_with_camel_case_fields() {
    let status = BookingStatus::Cancelled {
        reason: "room flooded".into(),
        cancelled_at: at(30),
    };
    let json =
        r#"{"state":"cancelled","reason":"room flooded","cancelledAt":"2024-05-01T09:30:00.000Z"}"#;
    assert_eq!(serde_json::to_string(&status).unwrap(), json);
    assert_eq!(serde_json::from_str::<BookingStatus>(json).unwrap(), status);
    assert_eq!(
        serde_json::to_string(&BookingStatus::Confirmed).unwrap(),
        r#"{"state":"confirmed"}"#
    );
}

#[test]
fn events_are_tagged_by_type_with_camel_case_fields() {
    let cancelled = BookingEvent::BookingCancelled {
        booking_id: BookingId(7),
        reason: "dup".into(),
        at: at(1),
    };
    let json = r#"{"type":"bookingCancelled","bookingId":"7","reason":"dup","at":"2024-05-01T09:01:00.000Z"}"#;
    assert_eq!(serde_json::to_string(&cancelled).unwrap(), json);
    assert_eq!(
        serde_json::from_str::<BookingEvent>(json).unwrap(),
        cancelled
    );

    let created = BookingEvent::BookingCreated {
        booking: sample_booking(),
    };
    let json = format!(r#"{{"type":"bookingCreated","booking":{SAMPLE_JSON}}}"#);
    assert_eq!(serde_json::to_string(&created).unwrap(), json);
    assert_eq!(
        serde_json::from_str::<BookingEvent>(&json).unwrap(),
        created
    );
}

#[test]
fn new_booking_reads_what_a_typescript_client_sends() {
    let from_ts = r#"{"roomId":"blue-room","title":"Standup","start":"2024-05-01T09:00:00.000Z","end":"2024-05-01T09:15:00.000Z","attendees":["ana@example.com"]}"#;
    let parsed: NewBooking = serde_json::from_str(from_ts).unwrap();
    assert_eq!(parsed.room_id, "blue-room");
    assert_eq!(parsed.end, at(15));
    assert_eq!(parsed.note, None);
    assert_eq!(
        serde_json::to_string(&parsed).unwrap(),
        from_ts,
        "and writes the same JSON back"
    );

    let with_null = from_ts.replace(r#""attendees""#, r#""note":null,"attendees""#);
    assert_eq!(
        serde_json::from_str::<NewBooking>(&with_null).unwrap().note,
        None
    );

    let typo = from_ts.replace("title", "tittle");
    let err = serde_json::from_str::<NewBooking>(&typo)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unknown field `tittle`"), "{err}");

    let snake = from_ts.replace("roomId", "room_id");
    assert!(
        serde_json::from_str::<NewBooking>(&snake).is_err(),
        "snake_case is not the contract"
    );

    assert_eq!(
        serde_json::from_str::<CancelBooking>(r#"{"reason":"x"}"#).unwrap(),
        CancelBooking { reason: "x".into() }
    );
    assert!(serde_json::from_str::<CancelBooking>(r#"{"reason":"x","force":true}"#).is_err());
}

#[test]
fn api_errors_have_one_shape_and_stable_codes() {
    let err = ApiError::validation(vec![FieldError::new(
        "attendees[1]",
        "is not an e-mail address",
    )]);
    assert_eq!(
        serde_json::to_string(&err).unwrap(),
        r#"{"code":"validation","message":"the request breaks validation rules","fields":[{"field":"attendees[1]","message":"is not an e-mail address"}]}"#
    );
    let err = ApiError::new(ErrorCode::NotFound, "no booking 5");
    assert_eq!(
        serde_json::to_string(&err).unwrap(),
        r#"{"code":"notFound","message":"no booking 5"}"#
    );
    assert_eq!(
        serde_json::from_str::<ApiError>(r#"{"code":"notFound","message":"no booking 5"}"#)
            .unwrap(),
        err
    );

    let codes = [
        (ErrorCode::BadRequest, "badRequest", 400),
        (ErrorCode::Validation, "validation", 422),
        (ErrorCode::NotFound, "notFound", 404),
        (ErrorCode::Conflict, "conflict", 409),
        (ErrorCode::MethodNotAllowed, "methodNotAllowed", 405),
        (ErrorCode::PayloadTooLarge, "payloadTooLarge", 413),
        (ErrorCode::Internal, "internal", 500),
    ];
    for (code, name, status) in codes {
        assert_eq!(serde_json::to_string(&code).unwrap(), format!("\"{name}\""));
        assert_eq!(code.http_status(), status);
        assert_eq!(ApiError::new(code, "x").http_status(), status);
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

#[test]
fn a_reasonable_booking_is_valid() {
    let mut b = new_booking("blue-room", 0, 480);
    b.attendees = vec![
        "ana@example.com".into(),
        "Bo.Li+cal@mail.example.org".into(),
    ];
    b.note = Some("é".repeat(500));
    b.title = format!("  {}  ", "ü".repeat(100));
    assert_eq!(validate_new_booking(&b, &RULES), Ok(()));
}

#[test]
fn every_broken_rule_is_reported_in_field_order() {
    let b = NewBooking {
        room_id: "Blue Room".into(),
        title: "   ".into(),
        start: at(60),
        end: at(60),
        attendees: vec![
            "ana@example.com".into(),
            "not-an-email".into(),
            "ANA@example.com".into(),
            "x@y".into(),
        ],
        note: Some("n".repeat(501)),
    };
    let errors = validate_new_booking(&b, &RULES).unwrap_err();
    let got: Vec<(&str, &str)> = errors
        .iter()
        .map(|e| (e.field.as_str(), e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "roomId",
                "must be 1 to 32 characters of a-z, 0-9 and inner '-'"
            ),
            ("title", "must not be blank"),
            ("end", "must be after start"),
            ("attendees[1]", "is not an e-mail address"),
            ("attendees[2]", "duplicates attendees[0]"),
            ("attendees[3]", "is not an e-mail address"),
            ("note", "must be at most 500 characters"),
        ]
    );
}

#[test]
fn limits_are_inclusive() {
    let check = |b: &NewBooking| {
        validate_new_booking(b, &RULES)
            .err()
            .map(|e| e.iter().map(|f| f.message.clone()).collect::<Vec<_>>())
    };
    assert_eq!(
        check(&new_booking("a", 0, 481)),
        Some(vec!["a booking lasts at most 480 minutes".to_owned()])
    );
    assert_eq!(
        check(&new_booking("a", 10, 5)),
        Some(vec!["must be after start".to_owned()])
    );
    assert_eq!(check(&new_booking(&"r".repeat(32), 0, 1)), None);
    assert!(check(&new_booking(&"r".repeat(33), 0, 1)).is_some());
    assert!(check(&new_booking("-room", 0, 1)).is_some());
    assert!(check(&new_booking("", 0, 1)).is_some());

    let mut b = new_booking("a", 0, 30);
    b.title = "t".repeat(101);
    assert_eq!(
        check(&b),
        Some(vec!["must be at most 100 characters".to_owned()])
    );
    b.title = "ok".into();
    b.attendees = (0..21).map(|i| format!("p{i}@example.com")).collect();
    assert_eq!(check(&b), Some(vec!["at most 20 attendees".to_owned()]));
    b.attendees.pop();
    assert_eq!(check(&b), None);
    b.attendees.clear();
    assert_eq!(
        check(&b),
        Some(vec!["at least one attendee is required".to_owned()])
    );
}

// ---------------------------------------------------------------------------------------------
// The schedule

#[test]
fn create_assigns_ids_trims_titles_and_records_events() {
    let mut s = Schedule::new(BIG_ID);
    let mut b = new_booking("blue-room", 0, 60);
    b.title = "  Design review \n".into();
    let first = s.create(b, at(-5)).unwrap();
    assert_eq!(first.id, BookingId(BIG_ID));
    assert_eq!(first.title, "Design review");
    assert_eq!(first.status, BookingStatus::Confirmed);
    assert_eq!(first.created_at, at(-5));
    let second = s.create(new_booking("blue-room", 60, 90), at(-4)).unwrap();
    assert_eq!(
        second.id,
        BookingId(BIG_ID + 1),
        "touching end-to-start is not an overlap"
    );
    assert_eq!(s.get(first.id), Some(&first));
    assert_eq!(s.get(BookingId(1)), None);
    assert_eq!(
        s.events(),
        &[
            BookingEvent::BookingCreated { booking: first },
            BookingEvent::BookingCreated { booking: second }
        ]
    );
}

#[test]
fn overlapping_bookings_of_one_room_conflict() {
    let mut s = Schedule::new(1);
    s.create(new_booking("blue-room", 60, 120), at(0)).unwrap();
    for (start, end) in [(30, 61), (119, 150), (70, 80), (0, 240), (60, 120)] {
        let err = s
            .create(new_booking("blue-room", start, end), at(0))
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::Conflict, "[{start}, {end})");
        assert_eq!(err.message, "blue-room overlaps booking 1");
    }
    assert!(
        s.create(new_booking("red-room", 60, 120), at(0)).is_ok(),
        "other rooms are independent"
    );
    assert!(s.create(new_booking("blue-room", 0, 60), at(0)).is_ok());
    assert!(s.create(new_booking("blue-room", 120, 180), at(0)).is_ok());
    assert_eq!(s.events().len(), 4, "conflicts leave no event behind");

    // Validation comes before the conflict check, and a failed create consumes no id.
    let err = s
        .create(new_booking("blue-room", 70, 70), at(0))
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(
        s.create(new_booking("blue-room", 300, 330), at(0))
            .unwrap()
            .id,
        BookingId(5)
    );
}

#[test]
fn cancelling_frees_the_slot_and_is_reported_once() {
    let mut s = Schedule::new(10);
    let b = s.create(new_booking("blue-room", 0, 60), at(-1)).unwrap();
    let reason = |r: &str| CancelBooking { reason: r.into() };

    let err = s.cancel(BookingId(99), reason("x"), at(1)).unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (ErrorCode::NotFound, "no booking 99")
    );
    let err = s.cancel(b.id, reason("  "), at(1)).unwrap_err();
    assert_eq!(err.code, ErrorCode::Validation);
    assert_eq!(
        err.fields,
        vec![FieldError::new("reason", "must not be blank")]
    );

    let cancelled = s.cancel(b.id, reason(" moved online "), at(2)).unwrap();
    assert_eq!(
        cancelled.status,
        BookingStatus::Cancelled {
            reason: "moved online".into(),
            cancelled_at: at(2)
        }
    );
    assert_eq!(s.get(b.id), Some(&cancelled));
    let err = s.cancel(b.id, reason("again"), at(3)).unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (ErrorCode::Conflict, "booking 10 is already cancelled")
    );

    let again = s.create(new_booking("blue-room", 0, 60), at(4)).unwrap();
    assert_eq!(again.id, BookingId(11));
    assert_eq!(
        s.events()[1],
        BookingEvent::BookingCancelled {
            booking_id: BookingId(10),
            reason: "moved online".into(),
            at: at(2)
        }
    );
    assert_eq!(s.events().len(), 3);
}

#[test]
fn room_bookings_lists_confirmed_overlaps_in_start_order() {
    let mut s = Schedule::new(1);
    let late = s.create(new_booking("blue-room", 240, 300), at(0)).unwrap();
    let early = s.create(new_booking("blue-room", 0, 60), at(0)).unwrap();
    let mid = s.create(new_booking("blue-room", 120, 180), at(0)).unwrap();
    s.create(new_booking("red-room", 0, 480), at(0)).unwrap();
    s.cancel(
        mid.id,
        CancelBooking {
            reason: "no".into(),
        },
        at(1),
    )
    .unwrap();

    let ids = |from: i64, to: i64| {
        s.room_bookings("blue-room", at(from), at(to))
            .into_iter()
            .map(|b| b.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(-60, 600), vec![early.id, late.id]);
    assert_eq!(ids(59, 241), vec![early.id, late.id]);
    assert_eq!(
        ids(60, 240),
        vec![],
        "half-open intervals: touching is not overlapping"
    );
    assert_eq!(ids(250, 260), vec![late.id]);
    assert!(s.room_bookings("green-room", at(0), at(600)).is_empty());
}
