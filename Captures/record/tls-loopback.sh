#!/bin/bash
# Records the loopback TLS handshakes used by Tests/DissectTests/TLSRecordedFixtures.swift
# and makes the test certificates of X509Fixtures.swift. Needs openssl, tcpdump (root).
# Traffic stays on 127.0.0.1; every process is bounded by `timeout` and only
# PIDs started here are killed. Usage: tls-loopback.sh WORKDIR
set -eu
work=${1:?work directory}
mkdir -p "$work" && cd "$work"

# Test CA and a leaf with SANs and the RDP EKU (sent as a 2-certificate chain).
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
    -subj "/C=DE/O=rdpdiag test/CN=rdpdiag Test CA" -set_serial 0x1001 2>/dev/null
cat > leaf.ext <<'EXT'
basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,1.3.6.1.4.1.311.54.1.2
subjectAltName=DNS:rdp.example.test,DNS:host1.example.test,IP:192.0.2.10
EXT
openssl req -new -newkey rsa:2048 -nodes -keyout leaf.key -out leaf.csr -subj "/CN=rdp.example.test" 2>/dev/null
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial 0x0A1B2C3D -days 825 -sha256 \
    -extfile leaf.ext -out leaf.pem 2>/dev/null

# RDP-style self-signed certificates with fixed dates (openssl ca allows -startdate/-enddate).
mkdir -p ca_db && : > ca_db/index.txt
cat > ca.cnf <<'CNF'
[ ca ]
default_ca = dflt
[ dflt ]
database = ./ca_db/index.txt
new_certs_dir = ./ca_db
serial = ./ca_db/serial
policy = pol
email_in_dn = no
unique_subject = no
copy_extensions = none
[ pol ]
commonName = supplied
[ rdp_ext ]
keyUsage = keyEncipherment,dataEncipherment
extendedKeyUsage = serverAuth,1.3.6.1.4.1.311.54.1.2
CNF
selfsigned() { # name cn serial start end digest
    openssl req -new -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2" 2>/dev/null
    echo "$3" > ca_db/serial
    openssl ca -batch -config ca.cnf -selfsign -keyfile "$1.key" -in "$1.csr" -out "$1.pem" \
        -startdate "$4" -enddate "$5" -md "$6" -extensions rdp_ext -notext 2>/dev/null
    openssl x509 -in "$1.pem" -outform DER -out "$1.der"
}
selfsigned rdp WIN-RDPHOST.corp.example 2A 20240101000000Z 20340101000000Z sha256
selfsigned expired WIN-OLDHOST.corp.example 2B 20200101000000Z 20210101000000Z sha256
selfsigned sha1 WIN-SHA1HOST.corp.example 2C 20240101000000Z 20340101000000Z sha1

record() { # name port s_client-args...
    local name=$1 port=$2
    shift 2
    timeout 20 tcpdump -i lo -U -w "$name.pcap" "tcp port $port" >/dev/null 2>&1 &
    local tpid=$!
    sleep 1
    # s_server closes on stdin EOF, so keep its stdin open for a few seconds.
    (sleep 4) | timeout 15 openssl s_server -accept "127.0.0.1:$port" -cert leaf.pem -key leaf.key \
        -cert_chain ca.pem -quiet -naccept 1 >/dev/null 2>&1 &
    local spid=$!
    sleep 1
    (sleep 1; echo "hello rdp"; sleep 1) | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
        -servername rdp.example.test "$@" >/dev/null 2>&1 || true
    sleep 1
    kill "$spid" 2>/dev/null || true; wait "$spid" 2>/dev/null || true
    sleep 1
    kill "$tpid" 2>/dev/null || true; wait "$tpid" 2>/dev/null || true
}
record tls12_gcm 44321 -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -alpn h2,http/1.1
record tls13 44322 -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256
python3 "$(dirname "$0")/tls-segments.py" > TLSRecordedFixtures.swift
