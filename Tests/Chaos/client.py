#!/usr/bin/env python3
"""A client of the chaos test: asks every director given, without pause, for the steered name over
DNS (UDP) and for a redirect over HTTP, until SECONDS have passed, and writes one JSON line per
answer to standard output: {"t": unix time, "director": name, "kind": "dns"|"redirect",
"client": the network it spoke for, "ok": bool, "addresses": [...] (DNS) or "host": "..." (the
redirect's Location host)}. It speaks in turn for itself and for a client in each network of
NETWORKS (an ECS option over DNS, X-Forwarded-For over HTTP, from a trusted proxy's address).

    client.py SECONDS NETWORKS NAME=DNS_ADDRESS:PORT,REDIRECT_ADDRESS:PORT ...

It runs inside a region's network namespace (ip netns exec), so it reaches that region's directors
whatever happens to the links between regions."""
import http.client
import json
import sys
import time
import urllib.parse

import dns.edns
import dns.message
import dns.query
import dns.rdatatype


def ask_dns(address, port, network):
    options = []
    if network:
        prefix, length = network.split("/")
        options = [dns.edns.ECSOption(prefix, int(length))]
    query = dns.message.make_query("api.example.test", dns.rdatatype.A, use_edns=0, options=options)
    response = dns.query.udp(query, address, port=port, timeout=0.5)
    return sorted(item.address for rrset in response.answer for item in rrset if rrset.rdtype == dns.rdatatype.A)


def ask_redirect(address, port, network):
    connection = http.client.HTTPConnection(address, port, timeout=0.5)
    headers = {"Host": "go.example.test"}
    if network:
        headers["X-Forwarded-For"] = network.split("/")[0].rsplit(".", 2)[0] + ".1.1"
    try:
        connection.request("GET", "/v1/orders", headers=headers)
        response = connection.getresponse()
        response.read()
        location = response.getheader("Location") or ""
        return response.status, urllib.parse.urlsplit(location).hostname or ""
    finally:
        connection.close()


def main():
    seconds = float(sys.argv[1])
    networks = [""] + [network for network in sys.argv[2].split(",") if network]
    directors = []
    for argument in sys.argv[3:]:
        name, endpoints = argument.split("=", 1)
        dns_endpoint, redirect_endpoint = endpoints.split(",", 1)
        dns_host, dns_port = dns_endpoint.rsplit(":", 1)
        redirect_host, redirect_port = redirect_endpoint.rsplit(":", 1)
        directors.append((name, dns_host, int(dns_port), redirect_host, int(redirect_port)))
    deadline = time.time() + seconds
    turn = 0
    while time.time() < deadline:
        network = networks[turn % len(networks)]
        turn += 1
        for name, dns_host, dns_port, redirect_host, redirect_port in directors:
            started = time.time()
            try:
                line = {"ok": True, "addresses": ask_dns(dns_host, dns_port, network)}
            except Exception as error:  # a timeout or a refused port: the director did not answer
                line = {"ok": False, "error": type(error).__name__}
            line.update(t=started, director=name, kind="dns", client=network)
            print(json.dumps(line), flush=True)
            started = time.time()
            try:
                status, host = ask_redirect(redirect_host, redirect_port, network)
                line = {"ok": status in (302, 307), "status": status, "host": host}
            except Exception as error:
                line = {"ok": False, "error": type(error).__name__}
            line.update(t=started, director=name, kind="redirect", client=network)
            print(json.dumps(line), flush=True)
        time.sleep(0.02)


if __name__ == "__main__":
    main()
