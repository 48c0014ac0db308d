//! Alibaba SLS, as `src/alibaba/sls/` is laid out: the gateway (claiming by headers, the
//! `Host` project, signatures, the envelope), projects, logstores, and GetLogs with the search
//! syntax and flow-log delivery end to end.

mod gateway;
mod logs;
mod logstores;
mod projects;
