"""Deployment files of the TZCLD Wallonie dashboard (nginx, Docker, systemd) and the local
cluster that runs them on one machine (``bash deploy/local-cluster.sh``)."""
