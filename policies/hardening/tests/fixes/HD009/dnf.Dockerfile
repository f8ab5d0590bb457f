# unsafe-fixes
FROM fedora:41
RUN dnf install -y httpd
RUN microdnf install -y jq
