//! Milestone 2: nodes on the network. Every test starts its nodes on 127.0.0.1:0 in this process.

use std::net::SocketAddr;
use std::time::Duration;

use ex01_distributed_cache::{serve, CacheError, Client, HashRing, NodeConfig, DEFAULT_VNODES};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const LIMIT: Duration = Duration::from_secs(10);

fn config(id: &str, ring: &HashRing) -> NodeConfig {
    NodeConfig {
        id: id.to_string(),
        ring: ring.clone(),
        capacity_bytes: 64 * 1024 * 1024,
        forward_timeout: Duration::from_secs(2),
    }
}

/// Starts `n` nodes that all share one ring of their addresses.
async fn cluster(n: usize) -> (Vec<SocketAddr>, HashRing) {
    let mut listeners = Vec::new();
    for _ in 0..n {
        listeners.push(TcpListener::bind("127.0.0.1:0").await.unwrap());
    }
    let addrs: Vec<SocketAddr> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
    let mut ring = HashRing::new();
    for addr in &addrs {
        ring.add_node(&addr.to_string(), DEFAULT_VNODES);
    }
    for (listener, addr) in listeners.into_iter().zip(&addrs) {
        tokio::spawn(serve(listener, config(&addr.to_string(), &ring)));
    }
    (addrs, ring)
}

async fn connect(addr: SocketAddr) -> Client {
    timeout(LIMIT, Client::connect(addr))
        .await
        .expect("connect timed out")
        .expect("connect failed")
}

async fn within<T>(f: impl std::future::Future<Output = T>) -> T {
    timeout(LIMIT, f)
        .await
        .expect("the cluster did not answer within the time limit")
}

#[tokio::test]
async fn a_single_node_gets_sets_and_deletes() {
    let (addrs, _) = cluster(1).await;
    let mut c = connect(addrs[0]).await;
    assert_eq!(within(c.get(b"k")).await.unwrap(), None);
    within(c.set(b"k", b"v1", None)).await.unwrap();
    assert_eq!(within(c.get(b"k")).await.unwrap(), Some(b"v1".to_vec()));
    within(c.set(b"k", b"\0binary\r\n", None)).await.unwrap();
    assert_eq!(
        within(c.get(b"k")).await.unwrap(),
        Some(b"\0binary\r\n".to_vec())
    );
    assert!(within(c.delete(b"k")).await.unwrap());
    assert!(!within(c.delete(b"k")).await.unwrap());
    assert_eq!(within(c.get(b"k")).await.unwrap(), None);
}

#[tokio::test]
async fn any_node_serves_any_key_and_only_the_owner_stores_it() {
    let (addrs, ring) = cluster(3).await;
    let mut clients = Vec::new();
    for addr in &addrs {
        clients.push(connect(*addr).await);
    }
    for i in 0..150 {
        let key = format!("key-{i}");
        within(clients[i % 3].set(key.as_bytes(), format!("value-{i}").as_bytes(), None))
            .await
            .unwrap();
    }
    for i in 0..150 {
        let key = format!("key-{i}");
        let expected = Some(format!("value-{i}").into_bytes());
        assert_eq!(
            within(clients[(i + 1) % 3].get(key.as_bytes()))
                .await
                .unwrap(),
            expected,
            "{key} via another node"
        );
        let owner = ring.owner(key.as_bytes()).unwrap();
        for (addr, client) in addrs.iter().zip(clients.iter_mut()) {
            let local = within(client.get_local(key.as_bytes())).await.unwrap();
            if addr.to_string() == owner {
                assert_eq!(local, expected, "{key} must be stored on its owner {owner}");
            } else {
                assert_eq!(
                    local, None,
                    "{key} must not be stored on {addr}, which does not own it"
                );
            }
        }
    }
    let key = (0..150)
        .map(|i| format!("key-{i}"))
        .find(|k| ring.owner(k.as_bytes()) != Some(&*addrs[0].to_string()))
        .unwrap();
    assert!(
        within(clients[0].delete(key.as_bytes())).await.unwrap(),
        "deletes are forwarded too"
    );
    assert_eq!(within(clients[1].get(key.as_bytes())).await.unwrap(), None);
}

#[tokio::test]
async fn ttls_travel_with_forwarded_writes() {
    let (addrs, _) = cluster(3).await;
    let mut c = connect(addrs[0]).await;
    for i in 0..30 {
        within(c.set(
            format!("t{i}").as_bytes(),
            b"short",
            Some(Duration::from_millis(50)),
        ))
        .await
        .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(120)).await;
    for i in 0..30 {
        assert_eq!(
            within(c.get(format!("t{i}").as_bytes())).await.unwrap(),
            None,
            "t{i} should have expired"
        );
    }
}

#[tokio::test]
async fn large_values_are_forwarded_intact() {
    let (addrs, ring) = cluster(2).await;
    let key = (0..100)
        .map(|i| format!("big-{i}"))
        .find(|k| ring.owner(k.as_bytes()) == Some(&*addrs[1].to_string()))
        .unwrap();
    let value: Vec<u8> = (0..2 * 1024 * 1024).map(|i| (i % 253) as u8).collect();
    let mut c = connect(addrs[0]).await;
    within(c.set(key.as_bytes(), &value, None)).await.unwrap();
    assert_eq!(within(c.get(key.as_bytes())).await.unwrap(), Some(value));
}

#[tokio::test]
async fn concurrent_clients_on_every_node() {
    let (addrs, _) = cluster(3).await;
    let tasks: Vec<_> = (0..9)
        .map(|t| {
            let addr = addrs[t % 3];
            tokio::spawn(async move {
                let mut c = connect(addr).await;
                for i in 0..40 {
                    within(c.set(
                        format!("{t}/{i}").as_bytes(),
                        format!("{t}:{i}").as_bytes(),
                        None,
                    ))
                    .await
                    .unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let mut c = connect(addrs[2]).await;
    for t in 0..9 {
        for i in 0..40 {
            let got = within(c.get(format!("{t}/{i}").as_bytes())).await.unwrap();
            assert_eq!(got, Some(format!("{t}:{i}").into_bytes()));
        }
    }
}

#[tokio::test]
async fn disagreeing_rings_hit_the_hop_limit_instead_of_looping() {
    let a = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let b = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (a_id, b_id) = (
        a.local_addr().unwrap().to_string(),
        b.local_addr().unwrap().to_string(),
    );
    // Each node believes the other one owns everything.
    let mut only_b = HashRing::new();
    only_b.add_node(&b_id, DEFAULT_VNODES);
    let mut only_a = HashRing::new();
    only_a.add_node(&a_id, DEFAULT_VNODES);
    tokio::spawn(serve(a, config(&a_id, &only_b)));
    tokio::spawn(serve(b, config(&b_id, &only_a)));

    let mut c = connect(a_id.parse().unwrap()).await;
    match within(c.get(b"anything")).await {
        Err(CacheError::Remote(message)) => {
            assert!(message.contains("hop"), "unexpected message {message:?}")
        }
        other => panic!("expected a hop-limit error, got {other:?}"),
    }
    assert_eq!(
        within(c.get_local(b"anything")).await.unwrap(),
        None,
        "the node itself is still healthy"
    );
}

#[tokio::test]
async fn a_stalled_owner_is_an_error_not_a_hang() {
    let live = TcpListener::bind("127.0.0.1:0").await.unwrap();
    // Bound but never accepting: connections complete in the kernel and then nothing ever answers.
    let stalled = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (live_id, stalled_id) = (
        live.local_addr().unwrap().to_string(),
        stalled.local_addr().unwrap().to_string(),
    );
    let mut ring = HashRing::new();
    ring.add_node(&live_id, DEFAULT_VNODES);
    ring.add_node(&stalled_id, DEFAULT_VNODES);
    let config = NodeConfig {
        forward_timeout: Duration::from_millis(300),
        ..config(&live_id, &ring)
    };
    tokio::spawn(serve(live, config));

    let mut c = connect(live_id.parse().unwrap()).await;
    let keys: Vec<String> = (0..50).map(|i| format!("k{i}")).collect();
    let stalled_key = keys
        .iter()
        .find(|k| ring.owner(k.as_bytes()) == Some(&*stalled_id))
        .unwrap();
    let live_key = keys
        .iter()
        .find(|k| ring.owner(k.as_bytes()) == Some(&*live_id))
        .unwrap();
    let started = std::time::Instant::now();
    assert!(matches!(
        within(c.set(stalled_key.as_bytes(), b"v", None)).await,
        Err(CacheError::Remote(_))
    ));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the forward timeout must bound the wait"
    );
    within(c.set(live_key.as_bytes(), b"v", None))
        .await
        .unwrap();
    assert_eq!(
        within(c.get(live_key.as_bytes())).await.unwrap(),
        Some(b"v".to_vec()),
        "keys of live nodes still work"
    );
    drop(stalled);
}

#[tokio::test]
async fn garbage_closes_only_that_connection() {
    let (addrs, _) = cluster(1).await;
    let mut raw = TcpStream::connect(addrs[0]).await.unwrap();
    raw.write_all(&[0, 0, 0, 3, 0xff, 0xff, 0xff])
        .await
        .unwrap(); // a frame with an unknown request kind
    let mut rest = Vec::new();
    let closed = timeout(LIMIT, raw.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "the node must close a connection that speaks garbage"
    );

    let mut huge = TcpStream::connect(addrs[0]).await.unwrap();
    huge.write_all(&u32::MAX.to_be_bytes()).await.unwrap(); // a length prefix far above any sane limit
    let closed = timeout(LIMIT, huge.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "an oversized frame is rejected before it is buffered"
    );

    let mut c = connect(addrs[0]).await;
    within(c.set(b"still", b"fine", None)).await.unwrap();
    assert_eq!(
        within(c.get(b"still")).await.unwrap(),
        Some(b"fine".to_vec())
    );
}
